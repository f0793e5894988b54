// Supplier dashboard: products per status as a small bar chart (data from json_script, no inline script).
(function () {
  var canvas = document.getElementById("catalog-status-chart");
  var source = document.getElementById("catalog-status-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var colours = ["#6c757d", "#0dcaf0", "#198754", "#dc3545", "#adb5bd"];
  new Chart(canvas, {
    type: "bar",
    data: { labels: data.labels, datasets: [{ data: data.values, backgroundColor: colours }] },
    options: {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      animation: false,
    },
  });
})();
