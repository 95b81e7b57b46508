// Shrinks photos on the phone before upload: at most 1600 px on the long edge, JPEG quality 0.8, orientation
// as taken (the browser applies EXIF orientation when it draws an <img>), usually well under 300 KB. The
// canvas is only ever the output size, never the camera's full resolution, so iOS canvas limits do not bite.
// Whatever cannot be shrunk here (HEIC in Chrome, an old browser) is sent as it is: the server sanitises all.
(function () {
  "use strict";
  var EDGE = 1600;
  var QUALITY = 0.8;

  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\//.test(file.type) || !window.DataTransfer || !HTMLCanvasElement.prototype.toBlob) {
        resolve(file);
        return;
      }
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, EDGE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (!blob || (scale === 1 && blob.size >= file.size)) {
            resolve(file);
            return;
          }
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg" }));
        }, "image/jpeg", QUALITY);
      };
      img.onerror = function () {
        URL.revokeObjectURL(url);
        resolve(file);
      };
      img.src = url;
    });
  }

  function kilobytes(files) {
    var total = 0;
    for (var i = 0; i < files.length; i++) total += files[i].size;
    return Math.round(total / 1024);
  }

  function enhance(input) {
    var note = document.createElement("p");
    note.className = "muted photo-note";
    note.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", note);
    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files || []);
      if (!files.length) return;
      var form = input.form;
      form.dataset.shrinking = String(Number(form.dataset.shrinking || 0) + 1);
      Promise.all(files.map(shrink)).then(function (small) {
        var list = new DataTransfer();
        small.forEach(function (f) { list.items.add(f); });
        input.files = list.files;
        note.textContent = small.length + " × " + kilobytes(small) + " KB";
        form.dataset.shrinking = String(Number(form.dataset.shrinking) - 1);
      });
    });
  }

  // A submit while photos are still being shrunk waits for them.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (Number(form.dataset.shrinking || 0) > 0) {
      event.preventDefault();
      setTimeout(function () { form.requestSubmit(); }, 150);
    }
  }, true);

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[type=file][accept^='image']").forEach(enhance);
  });
})();
