/* The segment trees of «Финал» and «Когорты» are one HTML block each (layouts/final_tree.py: ~140 nodes as Dash
   components took the browser seconds to draw). A click on a node (a <button data-node>) is handed to Dash here:
   the tree's holder names the store (`data-click-store`) that gets {node, at}; the tab's callback selects the node.
   window.rfmaMarkTree(holderId, node) highlights the selected node (a clientside callback calls it). */
(function () {
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target : null;
    var button = target && target.closest("button[data-node]");
    var holder = button && button.closest("[data-click-store]");
    if (!holder || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    window.dash_clientside.set_props(holder.getAttribute("data-click-store"), {
      data: {node: button.getAttribute("data-node"), at: Date.now()}
    });
  });

  window.rfmaMarkTree = function (holderId, node) {
    var holder = document.getElementById(holderId);
    if (!holder) {
      return;
    }
    holder.querySelectorAll("button[data-node]").forEach(function (button) {
      button.classList.toggle("rfma-tree-selected", button.getAttribute("data-node") === node);
    });
  };
})();
