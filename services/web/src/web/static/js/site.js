// htmx sends the session's CSRF token on every request it makes (forms carry it in a field).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRF-Token"] = meta.content;
  }
});

// A studio's photo that does not load (an owner's link gone stale, a host that is down) shows
// as the blank panel of a studio without photos, not as a broken image with its alt text. The
// error does not bubble, so it is caught on its way down; a photo that failed before this
// script ran is found once the page is parsed.
var PHOTOS = "img.photo, .gallery img";

function showPhotoMissing(img) {
  var panel = document.createElement("div");
  panel.className = "photo-none";
  panel.setAttribute("role", "img");
  panel.setAttribute("aria-label", img.alt + " (could not be loaded)");
  panel.textContent = "Photo unavailable";
  img.replaceWith(panel);
}

document.addEventListener("error", function (event) {
  if (event.target instanceof HTMLImageElement && event.target.matches(PHOTOS)) {
    showPhotoMissing(event.target);
  }
}, true);

document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(PHOTOS).forEach(function (img) {
    if (img.complete && img.naturalWidth === 0) {
      showPhotoMissing(img);
    }
  });
});
