// The product editor (suppliers/templates/suppliers/product_form.html): the Trix description editor's
// settings and image uploads, the image gallery's order (drag, or the arrow buttons), attribute
// name/value rows, and removing new SKU rows. Loaded before Trix so its settings apply to the editor.
(function () {
  "use strict";

  // --- description editor (Trix) ---------------------------------------------------------------
  document.addEventListener("trix-before-initialize", function () {
    // h1 is the page's title; the description's headings are h3 (kept by the server's sanitiser)
    window.Trix.config.blockAttributes.heading1.tagName = "h3";
  });

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  document.addEventListener("trix-file-accept", function (event) {
    var ok = ["image/jpeg", "image/png", "image/webp"];
    if (!event.file || ok.indexOf(event.file.type) < 0) event.preventDefault();
  });

  document.addEventListener("trix-attachment-add", function (event) {
    var attachment = event.attachment;
    if (!attachment.file) return;
    var editor = event.target;
    var body = new FormData();
    body.append("file", attachment.file);
    fetch(editor.dataset.uploadUrl, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (!result.ok) throw new Error(result.data.error || editor.dataset.uploadError);
        attachment.setAttributes({ url: result.data.url, href: result.data.url });
      })
      .catch(function (error) {
        attachment.remove();
        window.alert(error.message || editor.dataset.uploadError);
      });
  });

  // --- image gallery ---------------------------------------------------------------------------
  var dragged = null;

  document.addEventListener("dragstart", function (event) {
    var tile = event.target.closest && event.target.closest("[data-image-tile]");
    if (!tile) return;
    dragged = tile;
    tile.classList.add("image-tile-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", tile.dataset.key || "");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var tile = event.target.closest && event.target.closest("[data-image-tile]");
    if (!tile || tile === dragged || tile.parentNode !== dragged.parentNode) return;
    event.preventDefault();
    var box = tile.getBoundingClientRect();
    var after = event.clientX > box.left + box.width / 2;
    tile.parentNode.insertBefore(dragged, after ? tile.nextSibling : tile);
  });

  document.addEventListener("drop", function (event) {
    if (dragged) event.preventDefault();
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("image-tile-dragging");
    dragged = null;
  });

  document.addEventListener("click", function (event) {
    var move = event.target.closest("[data-move]");
    if (move) {
      var tile = move.closest("[data-image-tile]");
      var sibling = move.dataset.move === "-1" ? tile.previousElementSibling : tile.nextElementSibling;
      if (sibling) tile.parentNode.insertBefore(tile, move.dataset.move === "-1" ? sibling : sibling.nextSibling);
      move.focus();
      return;
    }
    var removeTile = event.target.closest("[data-tile-remove]");
    if (removeTile) {
      removeTile.closest("[data-image-tile]").remove();
      return;
    }
    // --- attribute rows ---
    var add = event.target.closest("[data-attr-add]");
    if (add) {
      var box = add.closest("[data-attr-pairs]");
      var row = box.querySelector("template[data-attr-template]").content.firstElementChild.cloneNode(true);
      box.querySelector("[data-attr-list]").appendChild(row);
      row.querySelector("input").focus();
      return;
    }
    var removeAttr = event.target.closest("[data-attr-remove]");
    if (removeAttr) {
      removeAttr.closest("[data-attr-pair]").remove();
      return;
    }
    // --- SKU rows: a new row is removed by ticking its DELETE box (the formset skips it) ---
    var removeRow = event.target.closest("[data-row-remove]");
    if (removeRow) {
      var tr = removeRow.closest("tr");
      tr.querySelector("[data-row-delete]").checked = true;
      tr.hidden = true;
    }
  });

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-tile-remove-box]")) {
      event.target.closest("[data-image-tile]").classList.toggle("image-tile-removed", event.target.checked);
    }
  });

  // the chosen files went up as uploads: clear the input so the form does not send them again
  document.addEventListener("htmx:afterRequest", function (event) {
    var input = event.detail.elt;
    if (input && input.type === "file" && event.detail.successful) input.value = "";
  });
})();
