// The map of studios: markers from the data-markers attribute of #map-data (the results
// part of the page, so it follows htmx's swaps); tiles only when a tile URL is configured.
(function () {
  var map = null;
  var layer = null;

  function draw() {
    var holder = document.getElementById("map");
    var data = document.getElementById("map-data");
    if (!holder || !data || typeof L === "undefined") {
      return;
    }
    var markers = JSON.parse(data.getAttribute("data-markers") || "[]");
    holder.hidden = false;
    if (map === null) {
      map = L.map(holder, { scrollWheelZoom: false });
      var tiles = holder.getAttribute("data-tiles");
      if (tiles) {
        L.tileLayer(tiles, {
          maxZoom: 18,
          attribution: holder.getAttribute("data-attribution") || "",
        }).addTo(map);
      }
      layer = L.layerGroup().addTo(map);
    }
    layer.clearLayers();
    var points = [];
    markers.forEach(function (studio) {
      var marker = L.marker([studio.lat, studio.lng], { title: studio.name, alt: studio.name });
      var link = document.createElement("a");
      link.href = studio.url;
      link.textContent = studio.name;
      marker.bindPopup(link);
      marker.addTo(layer);
      points.push([studio.lat, studio.lng]);
    });
    if (points.length === 1) {
      map.setView(points[0], 13);
    } else if (points.length > 1) {
      map.fitBounds(points, { padding: [30, 30], maxZoom: 13 });
    } else {
      map.setView([48, 10], 3);
    }
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
