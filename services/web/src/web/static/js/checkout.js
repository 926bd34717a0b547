// The checkout's card form: Stripe's Payment Element (Stripe.js, or the stand-in's in tests)
// and the hold's countdown. The page's data-* attributes carry everything; no inline script.
(function () {
  "use strict";

  var hold = document.getElementById("hold");
  var form = document.getElementById("payment-form");
  var message = document.getElementById("payment-message");
  var pay = document.getElementById("pay");
  var lapsedNote = document.getElementById("hold-lapsed");
  if (!hold || !form) {
    return;
  }
  // The server's count of seconds, not the browser's clock, which may be set wrong.
  var endsAt = Date.now() + Number(hold.dataset.secondsLeft) * 1000;
  var countdown = document.getElementById("countdown");

  function tick() {
    var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    var minutes = Math.floor(left / 60);
    var seconds = String(left % 60).padStart(2, "0");
    countdown.textContent = "(" + minutes + ":" + seconds + " left)";
    // Booking still takes a payment for a short grace after the hold, and books the time if
    // it is still free; once the booking has lapsed, Stripe refuses the payment (below).
    if (left === 0) {
      lapsedNote.hidden = false;
      return;
    }
    window.setTimeout(tick, 1000);
  }
  tick();

  // Stripe.js did not load (blocked, offline): say so instead of a dead button.
  if (typeof window.Stripe !== "function") {
    message.textContent = "The card form could not load. Please reload the page.";
    pay.disabled = true;
    return;
  }
  var stripe = window.Stripe(form.dataset.publishableKey);
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  var returnUrl = new URL(form.dataset.returnUrl, window.location.href).href;

  function words(error) {
    if (error.type === "card_error") {
      return error.message + " Please try another card.";
    }
    if (error.type === "validation_error") {
      return error.message;
    }
    if (error.type === "invalid_request_error") {
      lapsedNote.hidden = false;
      return "This payment can no longer be made: the time we held has lapsed.";
    }
    return "We could not reach the payment service. Please try again.";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    pay.disabled = true;
    message.textContent = "Checking your card…";
    stripe
      .confirmPayment({ elements: elements, confirmParams: { return_url: returnUrl }, redirect: "if_required" })
      .then(function (result) {
        if (result.error) {
          message.textContent = words(result.error);
          pay.disabled = false;
          return;
        }
        // As Stripe's own redirect would: the booking page then shows the payment being checked.
        window.location.assign(returnUrl + "?redirect_status=succeeded");
      });
  });
})();
