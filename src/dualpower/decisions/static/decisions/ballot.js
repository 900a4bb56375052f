// Enhancements of the ballot form; without them the numbered selects and plain number
// inputs work on their own.
//  - Ranked ballots: "Move up" / "Move down" buttons reorder the options with the
//    keyboard; the selects are renumbered to the new order and the move is announced.
//  - Quadratic ballots: the credit cost is recomputed as the votes change.
(function () {
  "use strict";

  function renumber(list) {
    var items = list.querySelectorAll(".ranking__item");
    items.forEach(function (item, index) {
      var select = item.querySelector("select");
      if (select) { select.value = String(index + 1); }
      var up = item.querySelector("[data-move='up']");
      var down = item.querySelector("[data-move='down']");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === items.length - 1; }
    });
  }

  function button(direction, label) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn--small btn--secondary";
    b.dataset.move = direction;
    b.textContent = direction === "up" ? "Move up" : "Move down";
    b.setAttribute("aria-label", (direction === "up" ? "Move up: " : "Move down: ") + label);
    return b;
  }

  function enhanceRanking(list) {
    if (list.dataset.enhanced) { return; }
    list.dataset.enhanced = "1";
    var status = list.parentNode.querySelector("[data-ranking-status]");
    list.querySelectorAll(".ranking__item").forEach(function (item) {
      var label = item.dataset.label || "";
      var controls = document.createElement("span");
      controls.className = "ranking__moves";
      controls.appendChild(button("up", label));
      controls.appendChild(button("down", label));
      item.appendChild(controls);
    });
    list.addEventListener("click", function (event) {
      var target = event.target.closest("[data-move]");
      if (!target || target.disabled) { return; }
      var item = target.closest(".ranking__item");
      var direction = target.dataset.move;
      if (direction === "up" && item.previousElementSibling) {
        list.insertBefore(item, item.previousElementSibling);
      } else if (direction === "down" && item.nextElementSibling) {
        list.insertBefore(item.nextElementSibling, item);
      }
      renumber(list);
      var again = item.querySelector("[data-move='" + direction + "']");
      (again && !again.disabled ? again : item.querySelector("[data-move]:not([disabled])") || again).focus();
      var position = Array.prototype.indexOf.call(list.children, item) + 1;
      if (status) { status.textContent = (item.dataset.label || "") + " is now number " + position + "."; }
    });
    // Until a button is used, the selects keep what the voter chose (blanks included).
    var items = list.querySelectorAll(".ranking__item");
    items.forEach(function (item, index) {
      item.querySelector("[data-move='up']").disabled = index === 0;
      item.querySelector("[data-move='down']").disabled = index === items.length - 1;
    });
  }

  function enhanceQuadratic(fieldset) {
    if (fieldset.dataset.enhanced) { return; }
    fieldset.dataset.enhanced = "1";
    var output = fieldset.querySelector("[data-quadratic-cost]");
    fieldset.addEventListener("input", function () {
      var cost = 0;
      fieldset.querySelectorAll("input[type='number']").forEach(function (input) {
        var n = parseInt(input.value, 10);
        if (!isNaN(n)) { cost += n * n; }
      });
      if (output) { output.textContent = String(cost); }
    });
  }

  function enhance(root) {
    root.querySelectorAll("[data-ranking]").forEach(enhanceRanking);
    root.querySelectorAll("[data-quadratic]").forEach(enhanceQuadratic);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSwap", function (event) { enhance(event.target); });
})();
