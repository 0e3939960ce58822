// Analytics loader saved by the crawler beside the pages.
(function () {
  var script = document.createElement("script");
  script.src = "https://tracker.example/collect.js";
  document.head.appendChild(script);
  window.dataLayer = window.dataLayer || [];
  window.dataLayer.push({ event: "page_view", page: "The city council approved plans for a new central library on Tuesday." });
})();
