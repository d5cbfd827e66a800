"""A tiny random-weight Llama saved to a folder, for fast loading-path tests (no model hub).

Vocabulary: special tokens, chat roles, JSON punctuation, the candidate/watched labels and the
verbalizer letters (each one token, as the verbalizer requires), and a few hundred words; other
words map to <unk>. Its outputs are noise: tests use it for plumbing and guarantees only.
"""

from __future__ import annotations

import string
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} <|end|> {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)
_WORDS = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "you",
    "your",
    "for",
    "with",
    "by",
    "on",
    "film",
    "films",
    "movie",
    "movies",
    "viewer",
    "taste",
    "crime",
    "drama",
    "thriller",
    "mystery",
    "comedy",
    "animation",
    "family",
    "musical",
    "romance",
    "horror",
    "adventure",
    "director",
    "genres",
    "keywords",
    "answer",
    "json",
    "label",
    "fit",
    "reason",
    "final",
    "summary",
    "liked",
    "disliked",
    "reasons",
    "text",
    "candidates",
    "watched",
    "which",
    "best",
    "letter",
    "only",
    "pick",
    "short",
    "score",
    "heist",
    "detective",
    "journalist",
    "영화",
    "취향",
    "시청자",
    "후보",
    "범죄",
    "드라마",
    "스릴러",
    "미스터리",
    "감독",
    "장르",
    "답",
    "한국어",
    "이유",
]


def build_tiny_llama(folder: Path, *, vocab_extra: int = 64) -> Path:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    special = [
        "<unk>",
        "<pad>",
        "<s>",
        "</s>",
        "<|system|>",
        "<|user|>",
        "<|assistant|>",
        "<|end|>",
    ]
    tokens = list(special)
    tokens += list("{}[]:,.\"'-!?()<>/|;=")
    tokens += list(string.ascii_uppercase) + list(string.ascii_lowercase) + list(string.digits)
    tokens += [f"C{i:02d}" for i in range(1, 31)] + [f"W{i:02d}" for i in range(1, 31)]
    tokens += [w for w in _WORDS if w not in tokens]
    tokens += [f"tok{i}" for i in range(vocab_extra)]
    vocab = {tok: i for i, tok in enumerate(dict.fromkeys(tokens))}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="<unk>",
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        bos_token_id=vocab["<s>"],
        eos_token_id=vocab["</s>"],
        pad_token_id=vocab["<pad>"],
    )
    import torch

    torch.manual_seed(0)
    model = LlamaForCausalLM(config)
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
