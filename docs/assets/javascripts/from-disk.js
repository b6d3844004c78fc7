// Opened from disk (file://), the site's pages cannot navigate, search or draw diagrams:
// say so at the top of the page and point to the go-bag, which works from disk.
(function () {
  "use strict";
  var config = document.getElementById("__config");
  if (location.protocol !== "file:" || !config || document.getElementById("handbook-from-disk")) {
    return;
  }
  var base = ".";
  try {
    base = JSON.parse(config.textContent).base || ".";
  } catch (error) {
    // keep "."
  }
  var notice = document.createElement("div");
  notice.id = "handbook-from-disk";
  notice.setAttribute("role", "alert");
  notice.className = "handbook-from-disk";
  var text = document.createElement("strong");
  text.textContent = "Opened from disk: this site needs a web server to navigate and search. ";
  var link = document.createElement("a");
  link.href = base.replace(/\/$/, "") + "/offline.html";
  link.textContent = "Open the go-bag (offline.html) instead: the whole handbook in one file.";
  notice.appendChild(text);
  notice.appendChild(link);
  document.body.insertBefore(notice, document.body.firstChild);
})();
