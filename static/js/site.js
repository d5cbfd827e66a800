// What htmx does not do by itself: say so when a partial request fails.
//
// A form the server refused (400/422) comes back as the same form with its error next to the
// field, and htmx swaps it in like any answer (the htmx-config meta tag in base.html). Any other
// failure (403, 404, 500, the network gone) would leave the page as it was, as if nothing had
// happened: here the user gets one sentence in their language right where they acted, replaced
// (never stacked) on the next failure and removed on the next success.
(function () {
  "use strict";

  function anchorOf(elt) {
    return (elt && elt.closest && elt.closest("form, section, li, article")) || elt;
  }

  function clearError(anchor) {
    var next = anchor && anchor.nextElementSibling;
    if (next && next.classList.contains("htmx-error")) {
      next.remove();
    }
  }

  function showError(elt, key) {
    var anchor = anchorOf(elt);
    if (!anchor || !anchor.parentNode) {
      return;
    }
    clearError(anchor);
    var text = document.body.dataset[key] || document.body.dataset.errorGeneric || "";
    var note = document.createElement("p");
    note.className = "message error htmx-error";
    note.setAttribute("role", "alert");
    note.textContent = text;
    anchor.parentNode.insertBefore(note, anchor.nextSibling);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    showError(event.detail.elt, status === 403 ? "errorForbidden" : "errorGeneric");
  });
  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, "errorOffline");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      clearError(anchorOf(event.detail.elt));
    }
  });

  // A chat log opens at its newest message (after a reload too), and follows new ones.
  function scrollLogs(root) {
    (root || document).querySelectorAll(".chat-log").forEach(function (log) {
      log.scrollTop = log.scrollHeight;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    scrollLogs(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    scrollLogs(event.detail.elt.parentNode || document);
  });
})();

// A poster that fails to load (TMDb unreachable, a removed image) gives way to the card's
// placeholder underneath. `error` does not bubble: listen in the capture phase, which also
// covers cards swapped in later; posters that failed before this script ran are found once.
(function () {
  "use strict";

  function markBroken(img) {
    var poster = img.closest && img.closest(".poster");
    if (poster) {
      poster.classList.add("is-broken");
    }
  }
  document.addEventListener(
    "error",
    function (event) {
      if (event.target && event.target.tagName === "IMG") {
        markBroken(event.target);
      }
    },
    true
  );
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".poster img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) {
        markBroken(img);
      }
    });
  });
})();
