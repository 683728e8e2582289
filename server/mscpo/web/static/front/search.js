/* Suggestions as you type in the header's search box: asks /search.json, shows the best matches grouped by kind.
   Without JavaScript the box is a plain GET form to /search. No inline code: a strict CSP holds. */
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  if (!form) { return; }
  var input = form.querySelector("input[name=q]");
  var list = form.querySelector(".suggestions");
  var timer = null, active = -1, items = [], last = "";

  function hide() { list.hidden = true; active = -1; input.setAttribute("aria-expanded", "false"); }

  function render(results) {
    list.textContent = "";
    items = [];
    var kind = null;
    results.forEach(function (r) {
      if (r.kind !== kind) {
        kind = r.kind;
        var head = document.createElement("li");
        head.className = "group";
        head.setAttribute("role", "presentation");
        head.textContent = r.kind_title;
        list.appendChild(head);
      }
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "suggestion-" + items.length;
      var a = document.createElement("a");
      if (r.href) { a.href = r.href; }
      a.textContent = r.label;
      var note = document.createElement("span");
      note.className = "curie";
      note.textContent = " " + r.curie + (r.matched !== r.label ? " · " + r.matched : "");
      a.appendChild(note);
      li.appendChild(a);
      list.appendChild(li);
      items.push(li);
    });
    list.hidden = items.length === 0;
    input.setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function grouped(results) {
    var order = [];
    var byKind = {};
    results.forEach(function (r) {
      if (!byKind[r.kind]) { byKind[r.kind] = []; order.push(r.kind); }
      byKind[r.kind].push(r);
    });
    return order.reduce(function (all, k) { return all.concat(byKind[k]); }, []);
  }

  function ask() {
    var text = input.value.trim();
    if (text === last) { return; }
    last = text;
    if (!text) { hide(); return; }
    fetch("/search.json?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) { if (input.value.trim() === text) { render(grouped(data.results)); } })
      .catch(function () { hide(); });
  }

  function highlight(index) {
    items.forEach(function (li, i) { li.classList.toggle("active", i === index); });
    active = index;
    if (index >= 0) { input.setAttribute("aria-activedescendant", items[index].id); }
  }

  input.setAttribute("autocomplete", "off");
  input.setAttribute("aria-expanded", "false");
  input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 120); });
  input.addEventListener("keydown", function (event) {
    if (list.hidden || !items.length) { return; }
    if (event.key === "ArrowDown") { event.preventDefault(); highlight((active + 1) % items.length); }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight((active - 1 + items.length) % items.length); }
    else if (event.key === "Escape") { hide(); }
    else if (event.key === "Enter" && active >= 0) {
      var link = items[active].querySelector("a");
      if (link && link.href) { event.preventDefault(); window.location.href = link.href; }
    }
  });
  document.addEventListener("click", function (event) { if (!form.contains(event.target)) { hide(); } });
})();
