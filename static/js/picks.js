// The picks page: after every add or remove, the #chips box comes back from the server with
// the ids of all the user's picks (data-picked). Every tile of the same movie — in the search
// results and in the popular grid, which the answer does not re-render — is then turned over:
// a picked movie shows ✓ and its tile removes it (like the chip's ×); an unpicked one shows +
// and adds it. Without JavaScript the page is rendered in the right state by the server.
(function () {
  "use strict";

  function turn(form, picked) {
    const button = form.querySelector("button.tile");
    if (!button || button.classList.contains("is-picked") === picked) return;
    const url = picked ? form.dataset.removeUrl : form.dataset.addUrl;
    form.setAttribute("action", url);
    form.setAttribute("hx-post", url);
    button.classList.toggle("is-picked", picked);
    if (picked) {
      button.setAttribute("aria-label", form.dataset.removeLabel);
      button.setAttribute("title", form.dataset.removeLabel);
    } else {
      button.removeAttribute("aria-label");
      button.removeAttribute("title");
    }
    // htmx bound the old hx-post when it processed the form: let it bind the new one.
    window.htmx.process(form);
    // The tile just clicked is still under the pointer: keep its hover look (× on a picked
    // tile) until the pointer leaves, so a pick does not look like an offer to undo it.
    if (button.matches(":hover")) {
      button.classList.add("just-turned");
      button.addEventListener("mouseleave", function () {
        button.classList.remove("just-turned");
      }, { once: true });
    }
  }

  function sync() {
    const chips = document.getElementById("chips");
    if (!chips) return;
    const picked = new Set((chips.dataset.picked || "").split(" ").filter(Boolean));
    document.querySelectorAll("form.movie-pick[data-movie-id]").forEach(function (form) {
      turn(form, picked.has(form.dataset.movieId));
    });
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    // After #chips changed, and after search results came in (a pick may have been made
    // while they were on their way).
    if (event.target.id === "chips" || event.target.id === "results") sync();
  });
})();
