// Selection screen: keeps "Nombre de factures" and "Montant à régler"
// up to date as invoices are ticked. The page works without it: the
// button "Mettre à jour le total" does the same through the server.
(function () {
  "use strict";
  var form = document.querySelector("form[data-selection]");
  if (!form) {
    return;
  }
  var count = form.querySelector("[data-count]");
  var total = form.querySelector("[data-total]");
  var nojs = form.querySelectorAll("[data-nojs]");
  for (var i = 0; i < nojs.length; i++) {
    nojs[i].hidden = true;
  }

  // euros writes cents the French way, as domain.FormatEuros does:
  // "1 234,50 €" with a narrow no-break space between thousands.
  function euros(cents) {
    var s = String(cents);
    while (s.length < 3) {
      s = "0" + s;
    }
    var whole = s.slice(0, -2);
    var out = "";
    for (var j = 0; j < whole.length; j++) {
      if (j > 0 && (whole.length - j) % 3 === 0) {
        out += "\u202f";
      }
      out += whole.charAt(j);
    }
    return out + "," + s.slice(-2) + "\u00a0€";
  }

  function update() {
    var boxes = form.querySelectorAll("input[name=facture]");
    var n = 0;
    var sum = 0;
    for (var k = 0; k < boxes.length; k++) {
      if (boxes[k].checked) {
        n++;
        sum += parseInt(boxes[k].getAttribute("data-cents"), 10) || 0;
      }
    }
    count.textContent = String(n);
    total.textContent = euros(sum);
  }

  form.addEventListener("change", update);
  update();
})();
