/*
 * The Stripe stand-in's Stripe.js: the few calls a checkout page makes with Stripe's Payment
 * Element, for local runs and tests where js.stripe.com cannot be reached.
 *
 *   const stripe = Stripe("pk_test_...");
 *   const elements = stripe.elements({clientSecret});
 *   elements.create("payment").mount("#payment-element");
 *   const {error, paymentIntent} = await stripe.confirmPayment({
 *     elements, confirmParams: {return_url}, redirect: "if_required"});
 *
 * The card form is plain inputs in the page (no iframe). Confirming sends the typed test card to
 * the stand-in that served this script, as Stripe.js sends it to Stripe: the publishable key and
 * the PaymentIntent's client secret, form-encoded, to POST /v1/payment_intents/{id}/confirm.
 * Test mode only; never load it in production.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var API_BASE = new URL(script && script.src ? script.src : window.location.href).origin;
  var CLIENT_SECRET = /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9_-]+$/;
  var mountCount = 0;

  var MESSAGES = {
    incomplete_number: "Your card number is incomplete.",
    invalid_number: "Your card number is invalid.",
    incomplete_expiry: "Your card's expiration date is incomplete.",
    invalid_expiry_month: "Your card's expiration date is invalid.",
    invalid_expiry_year_past: "Your card's expiration year is in the past.",
    invalid_expiry_month_past: "Your card's expiration date is in the past.",
    incomplete_cvc: "Your card's security code is incomplete.",
  };

  function integrationError(message) {
    var error = new Error(message);
    error.name = "IntegrationError";
    return error;
  }

  function validationError(code, param) {
    return { type: "validation_error", code: code, param: param, message: MESSAGES[code] };
  }

  function digits(value) {
    return value.replace(/\D/g, "");
  }

  function passesLuhn(number) {
    var total = 0;
    for (var i = 0; i < number.length; i++) {
      var digit = Number(number[number.length - 1 - i]);
      if (i % 2 === 1) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      total += digit;
    }
    return total % 10 === 0;
  }

  /* Form-encode nested params in Stripe's bracket notation: a[b][c]=v. */
  function encode(body, prefix, value) {
    if (value === undefined || value === null) return;
    if (typeof value === "object") {
      Object.keys(value).forEach(function (name) {
        encode(body, prefix ? prefix + "[" + name + "]" : name, value[name]);
      });
    } else {
      body.append(prefix, String(value));
    }
  }

  var STYLES = [
    ".sjs-element{font:inherit;color:inherit;max-width:32rem}",
    ".sjs-fieldset{border:1px solid #c5cad3;border-radius:.5rem;margin:0;padding:1rem 1rem .5rem}",
    ".sjs-legend{font-weight:600;padding:0 .25rem}",
    ".sjs-field{display:flex;flex-direction:column;margin-bottom:.5rem;min-width:0}",
    ".sjs-row{display:flex;flex-wrap:wrap;column-gap:1rem}.sjs-row>.sjs-field{flex:1 1 9rem}",
    ".sjs-field label{font-size:.9rem;margin-bottom:.25rem}",
    ".sjs-field input{font:inherit;font-size:1rem;padding:.55rem .65rem;border:1px solid #8a93a3;",
    "border-radius:.375rem;background:#fff;color:#1a1f36;min-width:0}",
    ".sjs-field input:focus{outline:3px solid #635bff55;outline-offset:1px;border-color:#635bff}",
    ".sjs-field input[aria-invalid=true]{border-color:#c0123c}",
    ".sjs-field input[readonly]{background:#f4f5f8}",
    ".sjs-error{color:#c0123c;font-size:.85rem;margin:.25rem 0 0;min-height:1.1em}",
    ".sjs-note{font-size:.8rem;color:#4f566b;margin:.5rem 0 0}",
  ].join("");

  /* Styles through a constructed sheet: a page's CSP without 'unsafe-inline' still allows it. */
  function addStyles() {
    if (document.__stripeStandinStyled) return;
    document.__stripeStandinStyled = true;
    if ("adoptedStyleSheets" in document && typeof CSSStyleSheet === "function") {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(STYLES);
      document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
    } else {
      var style = document.createElement("style");
      style.textContent = STYLES;
      document.head.appendChild(style);
    }
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  /* ---- Payment Element: a card number, expiry and CVC form, labelled, errors announced ---- */

  function PaymentElement(elements, options) {
    this._elements = elements;
    this._options = options || {};
    this._handlers = {};
    this._container = null;
    this._fields = null;
    this._lastComplete = false;
    this._lastEmpty = true;
  }

  PaymentElement.prototype.on = function (event, handler) {
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  PaymentElement.prototype.off = function (event, handler) {
    var handlers = this._handlers[event] || [];
    this._handlers[event] = handler
      ? handlers.filter(function (h) {
          return h !== handler;
        })
      : [];
    return this;
  };

  PaymentElement.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).forEach(function (handler) {
      handler(payload);
    });
  };

  PaymentElement.prototype.mount = function (target) {
    var node = typeof target === "string" ? document.querySelector(target) : target;
    if (!node || !node.appendChild) {
      throw integrationError("The selector you specified (" + target + ") applies to no DOM elements.");
    }
    if (this._container) this.unmount();
    addStyles();
    var id = "sjs-" + ++mountCount;
    var self = this;

    function field(name, labelText, attributes) {
      var input = el(
        "input",
        Object.assign(
          {
            id: id + "-" + name,
            type: "text",
            spellcheck: "false",
            "aria-describedby": id + "-" + name + "-error",
          },
          attributes
        )
      );
      var error = el("p", { id: id + "-" + name + "-error", class: "sjs-error", role: "alert" });
      var wrapper = el("div", { class: "sjs-field sjs-field-" + name }, [
        el("label", { for: input.id }, [labelText]),
        input,
        error,
      ]);
      input.addEventListener("input", function () {
        self._format(name);
        self._showError(name, null);
        self._changed();
      });
      input.addEventListener("blur", function () {
        if (input.value) self._showError(name, self._check(name, false));
        self._emit("blur", { elementType: "payment" });
      });
      input.addEventListener("focus", function () {
        self._emit("focus", { elementType: "payment" });
      });
      return { wrapper: wrapper, input: input, error: error };
    }

    // No `name` attributes: the card details must never be posted with the page's own form.
    var number = field("number", "Card number", {
      inputmode: "numeric",
      autocomplete: "cc-number",
      placeholder: "1234 1234 1234 1234",
      maxlength: "23",
    });
    var expiry = field("expiry", "Expiration date", {
      inputmode: "numeric",
      autocomplete: "cc-exp",
      placeholder: "MM / YY",
      maxlength: "7",
    });
    var cvc = field("cvc", "Security code", {
      inputmode: "numeric",
      autocomplete: "cc-csc",
      placeholder: "CVC",
      maxlength: "4",
    });
    this._fields = { number: number, expiry: expiry, cvc: cvc };
    this._container = el("div", { class: "sjs-element", "data-stripe-standin": "payment" }, [
      el("fieldset", { class: "sjs-fieldset" }, [
        el("legend", { class: "sjs-legend" }, ["Card"]),
        number.wrapper,
        el("div", { class: "sjs-row" }, [expiry.wrapper, cvc.wrapper]),
      ]),
      el("p", { class: "sjs-note" }, [
        "Test mode (Stripe stand-in): 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined.",
      ]),
    ]);
    node.appendChild(this._container);
    setTimeout(function () {
      self._emit("ready", { elementType: "payment" });
    }, 0);
    return this;
  };

  PaymentElement.prototype.unmount = function () {
    if (this._container && this._container.parentNode) {
      this._container.parentNode.removeChild(this._container);
    }
    this._container = null;
    this._fields = null;
  };

  PaymentElement.prototype.destroy = function () {
    this.unmount();
    this._handlers = {};
    if (this._elements._payment === this) this._elements._payment = null;
  };

  PaymentElement.prototype.focus = function () {
    if (this._fields) this._fields.number.input.focus();
  };

  PaymentElement.prototype.blur = function () {
    if (this._fields && this._container.contains(document.activeElement)) {
      document.activeElement.blur();
    }
  };

  PaymentElement.prototype.clear = function () {
    var fields = this._fields;
    if (!fields) return;
    Object.keys(fields).forEach(function (name) {
      fields[name].input.value = "";
    });
    this._changed();
  };

  PaymentElement.prototype._format = function (name) {
    var input = this._fields[name].input;
    var raw = digits(input.value);
    if (name === "number") {
      input.value = raw.slice(0, 19).replace(/(\d{4})(?=\d)/g, "$1 ");
    } else if (name === "expiry") {
      raw = raw.slice(0, 4);
      if (raw.length === 1 && raw > "1") raw = "0" + raw;
      input.value = raw.length > 2 ? raw.slice(0, 2) + " / " + raw.slice(2) : raw;
    } else {
      input.value = raw.slice(0, 4);
    }
  };

  /* The error for one field, or null; `strict` also reports a field left empty. */
  PaymentElement.prototype._check = function (name, strict) {
    var raw = digits(this._fields[name].input.value);
    if (!raw && !strict) return null;
    if (name === "number") {
      if (raw.length < 15) return validationError("incomplete_number", "number");
      if (raw.length > 19 || !passesLuhn(raw)) return validationError("invalid_number", "number");
    } else if (name === "expiry") {
      if (raw.length < 4) return validationError("incomplete_expiry", "expiry");
      var month = Number(raw.slice(0, 2));
      var year = 2000 + Number(raw.slice(2));
      var now = new Date();
      if (month < 1 || month > 12) return validationError("invalid_expiry_month", "expiry");
      if (year < now.getFullYear()) return validationError("invalid_expiry_year_past", "expiry");
      if (year === now.getFullYear() && month < now.getMonth() + 1) {
        return validationError("invalid_expiry_month_past", "expiry");
      }
    } else if (raw.length < 3) {
      return validationError("incomplete_cvc", "cvc");
    }
    return null;
  };

  PaymentElement.prototype._showError = function (name, error) {
    var field = this._fields[name];
    field.error.textContent = error ? error.message : "";
    if (error) field.input.setAttribute("aria-invalid", "true");
    else field.input.removeAttribute("aria-invalid");
  };

  PaymentElement.prototype._changed = function () {
    var self = this;
    var names = Object.keys(this._fields);
    var empty = names.every(function (name) {
      return !self._fields[name].input.value;
    });
    var complete = names.every(function (name) {
      return self._check(name, true) === null;
    });
    this._emit("change", {
      elementType: "payment",
      empty: empty,
      complete: complete,
      collapsed: false,
      value: { type: "card" },
    });
  };

  /* Every field checked and its error shown; the first error, or the card's details. */
  PaymentElement.prototype._collect = function () {
    var self = this;
    var first = null;
    Object.keys(this._fields).forEach(function (name) {
      var error = self._check(name, true);
      self._showError(name, error);
      if (error && !first) {
        first = error;
        self._fields[name].input.focus();
      }
    });
    if (first) return { error: first };
    var expiry = digits(this._fields.expiry.input.value);
    return {
      card: {
        number: digits(this._fields.number.input.value),
        exp_month: expiry.slice(0, 2),
        exp_year: "20" + expiry.slice(2),
        cvc: digits(this._fields.cvc.input.value),
      },
    };
  };

  PaymentElement.prototype._setBusy = function (busy) {
    var fields = this._fields;
    if (!fields) return;
    this._container.setAttribute("aria-busy", busy ? "true" : "false");
    Object.keys(fields).forEach(function (name) {
      if (busy) fields[name].input.setAttribute("readonly", "");
      else fields[name].input.removeAttribute("readonly");
    });
  };

  /* ---- Elements group and the Stripe object ---- */

  function Elements(stripe, options) {
    var match = CLIENT_SECRET.exec(options.clientSecret || "");
    if (!options.clientSecret) {
      throw integrationError(
        "The Stripe stand-in needs a clientSecret for elements(): create the PaymentIntent first " +
          "(the deferred `mode` flow is not supported)."
      );
    }
    if (!match) {
      throw integrationError(
        "Invalid value for elements(): clientSecret should be a client secret of the form " +
          "${id}_secret_${secret}. You specified: " + options.clientSecret + "."
      );
    }
    this._stripe = stripe;
    this._clientSecret = options.clientSecret;
    this._intentId = match[1];
    this._payment = null;
  }

  Elements.prototype.create = function (type, options) {
    if (type !== "payment") {
      throw integrationError("The Stripe stand-in only has the 'payment' element, not '" + type + "'.");
    }
    if (this._payment) {
      throw integrationError("Can only create one Element of type payment.");
    }
    this._payment = new PaymentElement(this, options);
    return this._payment;
  };

  Elements.prototype.getElement = function (type) {
    return type === "payment" ? this._payment : null;
  };

  Elements.prototype.update = function () {};

  Elements.prototype.fetchUpdates = function () {
    return Promise.resolve({});
  };

  Elements.prototype.submit = function () {
    var element = this._payment;
    if (!element || !element._fields) return Promise.resolve({});
    var collected = element._collect();
    return Promise.resolve(collected.error ? { error: collected.error } : {});
  };

  function Stripe(key, options) {
    if (!(this instanceof Stripe)) return new Stripe(key, options);
    if (typeof key !== "string" || !key) {
      throw integrationError("Please call Stripe() with your publishable key. You used an empty string.");
    }
    if (/^(sk|rk)_/.test(key)) {
      throw integrationError(
        "You should not use your secret key with Stripe.js. Please pass a publishable key instead."
      );
    }
    this._key = key;
  }

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options || {});
  };

  Stripe.prototype._request = function (method, path, params) {
    var body = new URLSearchParams();
    encode(body, "", Object.assign({ key: this._key }, params));
    // Form-encoded with no custom header, as Stripe.js: a "simple" cross-origin request.
    var init =
      method === "GET"
        ? { method: "GET" }
        : {
            method: "POST",
            body: body,
            headers: { "Content-Type": "application/x-www-form-urlencoded" },
          };
    var url = API_BASE + path + (method === "GET" ? "?" + body.toString() : "");
    return fetch(url, init)
      .then(function (response) {
        return response.json().then(function (json) {
          if (response.ok) return { object: json };
          return { error: json.error || { type: "api_error", message: "Unexpected answer." } };
        });
      })
      .catch(function () {
        return {
          error: {
            type: "api_connection_error",
            message: "We could not reach the Stripe stand-in at " + API_BASE + ". Please try again.",
          },
        };
      });
  };

  Stripe.prototype.confirmPayment = function (options) {
    options = options || {};
    var elements = options.elements;
    var confirmParams = Object.assign({}, options.confirmParams);
    var redirect = options.redirect || "always";
    if (!(elements instanceof Elements)) {
      return Promise.reject(
        integrationError("stripe.confirmPayment(): the `elements` option (from stripe.elements()) is required.")
      );
    }
    if (redirect !== "always" && redirect !== "if_required") {
      return Promise.reject(integrationError("Invalid value for redirect: " + redirect + "."));
    }
    if (redirect === "always" && !confirmParams.return_url) {
      return Promise.reject(
        integrationError(
          "stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless " +
            "passing `redirect: 'if_required'`."
        )
      );
    }
    var element = elements._payment;
    if (!element || !element._fields) {
      return Promise.reject(
        integrationError("stripe.confirmPayment(): the Payment Element must be mounted first.")
      );
    }
    var collected = element._collect();
    if (collected.error) return Promise.resolve({ error: collected.error });
    var paymentMethodData = Object.assign({}, confirmParams.payment_method_data, {
      type: "card",
      card: collected.card,
    });
    confirmParams.payment_method_data = paymentMethodData;
    confirmParams.client_secret = elements._clientSecret;
    element._setBusy(true);
    var path = "/v1/payment_intents/" + encodeURIComponent(elements._intentId) + "/confirm";
    return this._request("POST", path, confirmParams).then(function (result) {
      element._setBusy(false);
      if (result.error) return { error: result.error };
      var intent = result.object;
      if (redirect === "always") {
        var target = new URL(confirmParams.return_url, window.location.href);
        target.searchParams.set("payment_intent", intent.id);
        target.searchParams.set("payment_intent_client_secret", elements._clientSecret);
        target.searchParams.set("redirect_status", "succeeded");
        window.location.assign(target.toString());
        // As with Stripe.js, the promise never resolves: the page is going away.
        return new Promise(function () {});
      }
      return { paymentIntent: intent };
    });
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var match = CLIENT_SECRET.exec(clientSecret || "");
    if (!match) {
      return Promise.reject(integrationError("Invalid value for retrievePaymentIntent: clientSecret."));
    }
    var path = "/v1/payment_intents/" + encodeURIComponent(match[1]);
    return this._request("GET", path, { client_secret: clientSecret }).then(function (result) {
      return result.error ? { error: result.error } : { paymentIntent: result.object };
    });
  };

  window.Stripe = Stripe;
})();
