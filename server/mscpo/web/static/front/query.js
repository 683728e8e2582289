/* The query page: YASGUI on /sparql with the example questions (read from a JSON data block, not inline code). */
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("mscpo-examples").textContent);
  var endpoint = new URL(document.getElementById("yasgui").dataset.endpoint, window.location.href).href;
  Yasgui.Yasqe.defaults.value = examples.length ? examples[0].query : "SELECT * WHERE { ?s ?p ?o } LIMIT 10";
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json",
                     acceptHeaderGraph: "text/turtle" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }
  });
  window.mscpoYasgui = yasgui;
  document.querySelectorAll("[data-example]").forEach(function (button) {
    button.addEventListener("click", function () {
      var example = examples[Number(button.dataset.example)];
      var tab = yasgui.getTab();
      tab.setQuery(example.query);
      tab.getYasqe().query();
    });
  });
})();
