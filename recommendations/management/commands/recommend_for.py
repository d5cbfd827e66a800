"""Run the whole pipeline for one user from the shell and print the persona and the list.

    python manage.py recommend_for --user ml-latest-small:1 --backend transformers --k 10 \
        --prompt-variant original --json out.json

Everything runs in this process (no worker), with the chosen backend; the persona and the list
are stored like the site's. The JSON has exactly `persona`, `engine` (who produced the order),
`dropped` (items the LLM named outside the candidates) and `items` (`movie_id`, the catalogue's
primary key; `title`; `score`, the 1-10 fit; `reason`; `engine`, the model that proposed it).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from llm_worker import conf
from llm_worker.backends import BACKEND_NAMES
from movies.selectors import movies_by_ids
from recommendations import list_flow


def list_json(persona, lst) -> dict:
    items = list(lst.items.order_by("rank"))
    titles = {pk: m.title for pk, m in movies_by_ids([it.movie_id for it in items]).items()}
    return {
        "persona": {
            "summary": persona.summary,
            "liked_traits": list(persona.liked_traits),
            "disliked_traits": list(persona.disliked_traits),
            "reasons": list(persona.reasons),
            "engine": persona.engine,
            "degraded_reason": persona.degraded_reason,
        },
        "engine": lst.engine,
        "dropped": lst.dropped,
        "items": [
            {
                "movie_id": it.movie_id,
                "title": titles.get(it.movie_id, ""),
                "score": it.fit_score,
                "reason": it.reason,
                "engine": it.engine,
            }
            for it in items
        ],
    }


class Command(BaseCommand):
    help = "Build a persona and a re-ranked list for one user, print them (and write JSON)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="username (dataset users: ml-100k:1)")
        parser.add_argument("--backend", choices=BACKEND_NAMES, help="default: LLM_BACKEND")
        parser.add_argument("--k", type=int, default=list_flow.DEFAULT_K)
        parser.add_argument("--prompt-variant", choices=conf.VARIANTS, default=None)
        parser.add_argument("--method", choices=conf.METHODS, default=None)
        parser.add_argument("--json", dest="json_out", help="write the result to this file")

    def handle(self, *args, **options):
        try:
            user = get_user_model().objects.get(username=options["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user named {options['user']!r}") from None
        if not 1 <= options["k"] <= 50:
            raise CommandError("--k must be between 1 and 50")
        try:
            persona, lst = list_flow.recommend_now(
                user=user,
                k=options["k"],
                backend_name=options["backend"],
                variant=options["prompt_variant"],
                method=options["method"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        data = list_json(persona, lst)
        self._print(data, lst)
        if options["json_out"]:
            path = Path(options["json_out"])
            path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
            self.stdout.write(f"wrote {path}")

    def _print(self, data: dict, lst) -> None:
        persona = data["persona"]
        self.stdout.write(self.style.MIGRATE_HEADING(f"Persona ({persona['engine']})"))
        self.stdout.write(persona["summary"])
        if persona["liked_traits"]:
            self.stdout.write("  + " + "; ".join(persona["liked_traits"]))
        if persona["disliked_traits"]:
            self.stdout.write("  - " + "; ".join(persona["disliked_traits"]))
        cited = {m for r in persona["reasons"] for m in r.get("movie_ids", [])}
        titles = {pk: m.title for pk, m in movies_by_ids(cited).items()}
        for reason in persona["reasons"]:
            names = ", ".join(titles.get(m, str(m)) for m in reason.get("movie_ids", []))
            self.stdout.write(f"  * {reason['text']}" + (f"  [{names}]" if names else ""))
        if persona["degraded_reason"]:
            self.stdout.write(self.style.WARNING(f"  degraded: {persona['degraded_reason']}"))
        heading = f"List #{lst.pk} ({data['engine']}, dropped {data['dropped']})"
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        for rank, item in enumerate(data["items"], start=1):
            self.stdout.write(
                f"{rank:2d}. {item['title']} [{item['movie_id']}] fit {item['score']} "
                f"({item['engine']})\n    {item['reason']}"
            )
        if lst.degraded_reason:
            self.stdout.write(self.style.WARNING(f"degraded: {lst.degraded_reason}"))
