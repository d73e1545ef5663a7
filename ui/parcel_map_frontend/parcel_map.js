/* Parcel map: every parcel from vector tiles, coloured in the browser from a per-parcel score array.
 *
 * A Streamlit component (v1 protocol, no build step). The iframe lives as long as the element, so a
 * rerun with new weights only delivers a new score array: tiles stay, colours are re-applied.
 * Data values (designations, overlay names) are always inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  // Leaflet.VectorGrid 1.3 calls L.DomEvent.fakeStop, which Leaflet 1.9 removed (it only marked the event).
  if (!L.DomEvent.fakeStop) {
    L.DomEvent.fakeStop = function (e) { e._stopped = true; };
  }

  // VectorGrid hit-tests in native tile pixels and ignores the scale of over- or under-zoomed tiles
  // (maxNativeZoom / minNativeZoom), so hover and click miss there. Map the mouse into the tile's pixels.
  L.Canvas.Tile.include({
    _tilePoint: function (e) {
      var map = this._map, scale = map.getZoomScale(map.getZoom(), this._tileCoord.z);
      var origin = this._tileCoord.scaleBy(this._size).multiplyBy(scale).subtract(map.getPixelOrigin());
      return map.mouseEventToLayerPoint(e).subtract(origin).divideBy(scale);
    },
    _onClick: function (e) {
      var point = this._tilePoint(e), layer, clicked;
      for (var id in this._layers) {
        layer = this._layers[id];
        if (layer.options.interactive && layer._containsPoint(point) && !this._map._draggableMoved(layer)) {
          clicked = layer;
        }
      }
      if (clicked) {
        L.DomEvent.fakeStop(e);
        this._fireEvent([clicked], e);
      }
    },
    _onMouseMove: function (e) {
      if (!this._map || this._map.dragging.moving() || this._map._animatingZoom) { return; }
      this._handleMouseHover(e, this._tilePoint(e));
    },
    // Draw polygons of one style as one path: one fill per colour instead of one per parcel
    // (100,000 parcels: 101 fills). Outlines follow the fills, the thickest (selected) last.
    _draw: function () {
      var ctx = this._ctx, bounds = this._redrawBounds, fills = {}, strokes = {}, order, layer, o, key, k;
      ctx.save();
      if (bounds) {
        var size = bounds.getSize();
        ctx.beginPath();
        ctx.rect(bounds.min.x, bounds.min.y, size.x, size.y);
        ctx.clip();
      }
      this._drawing = true;
      for (order = this._drawFirst; order; order = order.next) {
        layer = order.layer;
        if (bounds && !(layer._pxBounds && layer._pxBounds.intersects(bounds))) { continue; }
        if (!(layer instanceof L.Polygon) || !layer._parts) { layer._updatePath(); continue; }
        o = layer.options;
        if (o.fill) {
          key = o.fillColor + "|" + o.fillOpacity;
          (fills[key] = fills[key] || { o: o, layers: [] }).layers.push(layer);
        }
        if (o.stroke && o.weight > 0) {
          key = o.weight + "|" + o.color + "|" + o.opacity;
          (strokes[key] = strokes[key] || { o: o, layers: [] }).layers.push(layer);
        }
      }
      for (k in fills) {
        tracePaths(ctx, fills[k].layers);
        ctx.globalAlpha = fills[k].o.fillOpacity;
        ctx.fillStyle = fills[k].o.fillColor;
        ctx.fill(fills[k].o.fillRule || "evenodd");
      }
      Object.keys(strokes).map(function (key2) { return strokes[key2]; })
        .sort(function (a, b) { return a.o.weight - b.o.weight; })
        .forEach(function (g) {
          tracePaths(ctx, g.layers);
          ctx.globalAlpha = g.o.opacity;
          ctx.lineWidth = g.o.weight;
          ctx.strokeStyle = g.o.color;
          ctx.lineCap = g.o.lineCap;
          ctx.lineJoin = g.o.lineJoin;
          ctx.stroke();
        });
      this._drawing = false;
      ctx.restore();
    }
  });

  // A new tile's features are added without drawing each one (VectorGrid 1.3 draws every polygon
  // as it is created, one fill and one path each), then the tile is drawn once by _draw above:
  // one fill per colour. Styles from vectorTileLayerStyles that are already full Leaflet path
  // options (fullStyle below marks them) are used as they are, not copied per feature, and a
  // feature gets its event parent (the grid) when the mouse first finds it, not when it is made.
  // At 100,000 parcels in view this is most of the first view's work in the browser.
  L.Canvas.Tile.include({
    _fireEvent: function (layers, e, type) {
      for (var n = 0; n < layers.length; n++) {
        if (!layers[n]._eventParents && this._grid) { layers[n].addEventParent(this._grid); }
      }
      L.Canvas.prototype._fireEvent.call(this, layers, e, type);
    }
  });
  var createLayer = L.VectorGrid.prototype._createLayer, fillPartsPatched = false;
  // VectorGrid makes two new points per vertex (L.point(p).scaleBy(s)); at 100,000 parcels that is
  // a million objects for the garbage collector. The decoded points are scaled in place instead
  // (its polygon class is not exported, so it is patched through the first polygon made).
  function patchFillParts(layer) {
    fillPartsPatched = true;
    var proto = Object.getPrototypeOf(layer);
    proto._makeFeatureParts = function (feat, pxPerExtent) {
      var rings = feat.geometry, sx = pxPerExtent.x, sy = pxPerExtent.y, p;
      var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (var r = 0; r < rings.length; r++) {
        for (var k = 0; k < rings[r].length; k++) {
          p = rings[r][k];
          p.x *= sx;
          p.y *= sy;
          if (p.x < x0) { x0 = p.x; }
          if (p.x > x1) { x1 = p.x; }
          if (p.y < y0) { y0 = p.y; }
          if (p.y > y1) { y1 = p.y; }
        }
      }
      this._parts = rings;
      this._box = [x0, y0, x1, y1];
    };
    var contains = proto._containsPoint;
    proto._containsPoint = function (p) {
      if (!this._flat) { return contains.call(this, p); }
      return this._pxBounds.contains(p) && flatContains(this, p);
    };
    // The bounds from the box found while scaling (VectorGrid's way makes a point per vertex again).
    proto.makeInteractive = function () {
      var b = this._box, tol = this._clickTolerance();
      if (!b) { this._pxBounds = this._getPixelBounds(); return; }  // made before the patch
      this._pxBounds = new L.Bounds(new L.Point(b[0] - tol, b[1] - tol), new L.Point(b[2] + tol, b[3] + tol));
    };
  }
  // Tiles are fetched and decoded in a Web Worker (the second core), into flat arrays: one
  // Float32Array of tile-pixel coordinates per tile, ring and feature offsets, the parcel index
  // and a box per feature. The main thread then makes one Leaflet path per parcel that points into
  // those arrays, with no object per point (VectorGrid's decoder makes one per point, and decoding
  // was ~0.3 s of the 100,000-parcel first view on the main thread). Should a worker not start,
  // VectorGrid's own decoder is used. Only polygons are read: the parcel layer holds nothing else.
  var WORKER_SOURCE = "(" + function () {
    var utf8 = new TextDecoder();
    function varint(r) {
      var b = r.b, p = r.p, c = b[p++], v = c & 0x7f;
      if (c >= 0x80) { c = b[p++]; v |= (c & 0x7f) << 7;
        if (c >= 0x80) { c = b[p++]; v |= (c & 0x7f) << 14;
          if (c >= 0x80) { c = b[p++]; v |= (c & 0x7f) << 21;
            if (c >= 0x80) { c = b[p++]; v += (c & 0x7f) * 268435456;
              while (c >= 0x80) { c = b[p++]; } } } } }
      r.p = p;
      return v;
    }
    function skip(r, wire) {
      if (wire === 0) { varint(r); } else if (wire === 1) { r.p += 8; } else if (wire === 2) { var n = varint(r); r.p += n; }
      else if (wire === 5) { r.p += 4; } else { throw new Error("wire type " + wire); }
    }
    function value(r, end) {
      var v = null;
      while (r.p < end) {
        var tag = varint(r), f = tag >> 3, w = tag & 7;
        if (f === 1 && w === 2) { var n = varint(r); v = utf8.decode(r.b.subarray(r.p, r.p + n)); r.p += n; }
        else if (f === 2 && w === 5) { v = r.dv.getFloat32(r.p, true); r.p += 4; }
        else if (f === 3 && w === 1) { v = r.dv.getFloat64(r.p, true); r.p += 8; }
        else if ((f === 4 || f === 5) && w === 0) { v = varint(r); }
        else if (f === 6 && w === 0) { var z = varint(r); v = (z % 2) ? -(z + 1) / 2 : z / 2; }
        else if (f === 7 && w === 0) { v = !!varint(r); }
        else { skip(r, w); }
      }
      return v;
    }
    function layer(r, end, size) {
      var name = "", extent = 4096, keys = [], values = [], feats = [];
      while (r.p < end) {
        var tag = varint(r), f = tag >> 3, w = tag & 7, n;
        if (f === 1 && w === 2) { n = varint(r); name = utf8.decode(r.b.subarray(r.p, r.p + n)); r.p += n; }
        else if (f === 2 && w === 2) { n = varint(r); feats.push(r.p, r.p + n); r.p += n; }
        else if (f === 3 && w === 2) { n = varint(r); keys.push(utf8.decode(r.b.subarray(r.p, r.p + n))); r.p += n; }
        else if (f === 4 && w === 2) { n = varint(r); var e = r.p + n; values.push(value(r, e)); r.p = e; }
        else if (f === 5 && w === 0) { extent = varint(r); }
        else { skip(r, w); }
      }
      var iKey = keys.indexOf("i"), s = size / extent, nf = feats.length / 2;
      var idx = new Int32Array(nf), box = new Float32Array(4 * nf), featRing = [0], ringStart = [0], xy = [];
      var kept = 0;
      for (var k = 0; k < nf; k++) {
        r.p = feats[2 * k];
        var fend = feats[2 * k + 1], type = 0, ix = -1, g0 = 0, g1 = 0;
        while (r.p < fend) {
          var t2 = varint(r), f2 = t2 >> 3, w2 = t2 & 7;
          if (f2 === 2 && w2 === 2) {
            var te = varint(r) + r.p;
            while (r.p < te) { var kk = varint(r), vv = varint(r); if (kk === iKey) { ix = values[vv]; } }
          } else if (f2 === 3 && w2 === 0) { type = varint(r); }
          else if (f2 === 4 && w2 === 2) { var gl = varint(r); g0 = r.p; g1 = r.p + gl; r.p = g1; }
          else { skip(r, w2); }
        }
        if (type !== 3 || typeof ix !== "number") { continue; }
        r.p = g0;
        var x = 0, y = 0, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        while (r.p < g1) {
          var cmd = varint(r), op = cmd & 7, count = cmd >> 3;
          if (op === 7) { ringStart.push(xy.length / 2); continue; }
          for (var c = 0; c < count; c++) {
            var dx = varint(r), dy = varint(r);
            x += (dx % 2) ? -(dx + 1) / 2 : dx / 2;
            y += (dy % 2) ? -(dy + 1) / 2 : dy / 2;
            var px = x * s, py = y * s;
            xy.push(px, py);
            if (px < x0) { x0 = px; } if (px > x1) { x1 = px; }
            if (py < y0) { y0 = py; } if (py > y1) { y1 = py; }
          }
        }
        if (ringStart[ringStart.length - 1] !== xy.length / 2) { ringStart.push(xy.length / 2); }
        idx[kept] = ix;
        box[4 * kept] = x0; box[4 * kept + 1] = y0; box[4 * kept + 2] = x1; box[4 * kept + 3] = y1;
        kept += 1;
        featRing.push(ringStart.length - 1);
      }
      return { name: name, n: kept, idx: idx.slice(0, kept), box: box.slice(0, 4 * kept),
               featRing: Int32Array.from(featRing), ringStart: Int32Array.from(ringStart),
               xy: Float32Array.from(xy) };
    }
    self.onmessage = function (e) {
      var job = e.data;
      fetch(job.url).then(function (res) { return res.ok ? res.arrayBuffer() : null; }).then(function (buf) {
        var out = [];
        if (buf) {
          var b = new Uint8Array(buf), r = { b: b, p: 0, dv: new DataView(buf) };
          while (r.p < b.length) {
            var tag = varint(r);
            if ((tag >> 3) === 3 && (tag & 7) === 2) { var n = varint(r), end = r.p + n; out.push(layer(r, end, job.size)); r.p = end; }
            else { skip(r, tag & 7); }
          }
        }
        var transfer = [];
        out.forEach(function (l) { transfer.push(l.idx.buffer, l.box.buffer, l.featRing.buffer, l.ringStart.buffer, l.xy.buffer); });
        self.postMessage({ job: job.job, layers: out }, transfer);
      }).catch(function (err) { self.postMessage({ job: job.job, error: String(err) }); });
    };
  } + ")();";
  var tileWorker = { worker: undefined, jobs: {}, next: 0 };
  function decodeInWorker(url, size) {
    if (tileWorker.worker === undefined) {
      try {
        tileWorker.worker = new Worker(URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "text/javascript" })));
        tileWorker.worker.onmessage = function (e) {
          var resolve = tileWorker.jobs[e.data.job];
          delete tileWorker.jobs[e.data.job];
          if (resolve) { resolve(e.data); }
        };
      } catch (err) {
        tileWorker.worker = null;  // VectorGrid's decoder then
      }
    }
    if (!tileWorker.worker) { return null; }
    var job = tileWorker.next++;
    return new Promise(function (resolve) {
      tileWorker.jobs[job] = resolve;
      tileWorker.worker.postMessage({ job: job, url: url, size: size });
    });
  }

  // A feature decoded by the worker: its rings are read from the tile's arrays (see tracePaths).
  var NO_PARTS = [];
  function setFlat(f, d, k) {
    f._flat = d;
    f._k = k;
    f._parts = NO_PARTS;
    f._box = [d.box[4 * k], d.box[4 * k + 1], d.box[4 * k + 2], d.box[4 * k + 3]];
  }
  function flatContains(f, p) {
    var d = f._flat, xy = d.xy, rs = d.ringStart, inside = false;
    for (var r = d.featRing[f._k]; r < d.featRing[f._k + 1]; r++) {
      for (var i = rs[r], j = rs[r + 1] - 1; i < rs[r + 1]; j = i++) {
        var xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
        if ((yi > p.y) !== (yj > p.y) && p.x < (xj - xi) * (p.y - yi) / (yj - yi) + xi) { inside = !inside; }
      }
    }
    return inside;
  }
  function tileUrl(grid, coords) {
    var data = { s: grid._getSubdomain(coords), x: coords.x, y: coords.y, z: coords.z };
    if (grid._map && !grid._map.options.crs.infinite) {
      var flipped = grid._globalTileRange.max.y - coords.y;
      if (grid.options.tms) { data.y = flipped; }
      data["-y"] = flipped;
    }
    return L.Util.template(grid._url, L.extend(data, grid.options));
  }
  // The worker's layers in the shape the loop below reads: features with properties, and the flat arrays.
  function workerLayers(out) {
    var layers = {};
    (out.layers || []).forEach(function (d) {
      var features = new Array(d.n);
      for (var k = 0; k < d.n; k++) { features[k] = { type: 3, properties: { i: d.idx[k] }, geometry: NO_PARTS, flat: d, k: k }; }
      layers[d.name] = { extent: 256, features: features };
    });
    return { layers: layers };
  }

  L.VectorGrid.include({
    createTile: function (coords, done) {
      var getId = this.options.getFeatureId, renderer = this.options.rendererFactory(coords, this.getTileSize(),
        this.options);
      var decoded = decodeInWorker(tileUrl(this, coords), this.getTileSize().x);
      var promise = decoded ? decoded.then(workerLayers) : this._getVectorTilePromise(coords);
      renderer._grid = this;
      if (getId) {
        this._vectorTiles[this._tileCoordsToKey(coords)] = renderer;
        renderer._features = {};
      }
      promise.then(function (json) {
        renderer._drawing = false;
        for (var name in json.layers) {
          this._dataLayerNames[name] = true;
          var data = json.layers[name], pxPerExtent = this.getTileSize().divideBy(data.extent);
          var layerStyle = this.options.vectorTileLayerStyles[name] || L.Path.prototype.options;
          for (var i = 0; i < data.features.length; i++) {
            var feat = data.features[i], style = layerStyle, id;
            if (getId) {
              id = getId(feat);
              var over = this._overriddenStyles[id];
              if (over) { style = over[name] ? over[name] : over; }
            }
            if (style instanceof Function) { style = style(feat.properties, coords.z); }
            if (!(style instanceof Array)) { style = [style]; }
            if (!style.length) { continue; }
            var f = this._createPlainLayer(feat, pxPerExtent);
            if (!fillPartsPatched && f instanceof L.Polygon) { patchFillParts(f); }
            if (feat.flat) { setFlat(f, feat.flat, feat.k); }
            for (var j = 0; j < style.length; j++) {
              // What Symbolizer.render does, less what a tile not yet on the map ignores (its
              // redraw requests) and the per-feature draw (the tile is drawn once below).
              f._renderer = renderer;
              f.options = style[j].pmFull ? style[j] : L.extend({}, L.Path.prototype.options, style[j]);
              renderer._initPath(f);
            }
            if (this.options.interactive) { f.makeInteractive(); }
            if (getId) { renderer._features[id] = { layerName: name, feature: f }; }
          }
        }
        if (this._map != null) { renderer.addTo(this._map); }
        renderer._redrawBounds = null;
        fitResolution(renderer);
        renderer._draw();
        L.Util.requestAnimFrame(done.bind(coords, null, null));
      }.bind(this));
      return renderer.getContainer();
    },
    // _createLayer without addEventParent (added on first hit, see _fireEvent above).
    _createPlainLayer: function (feat, pxPerExtent) {
      var interactive = this.options.interactive;
      this.options.interactive = false;
      try { return createLayer.call(this, feat, pxPerExtent); } finally { this.options.interactive = interactive; }
    }
  });

  // A parcel under 2 pixels across is traced as its bounding square (what tippecanoe's tiny-polygon
  // reduction draws too): at a county view most parcels are that small, and one rect is cheaper
  // to trace and fill than a ring of points.
  function traceFlat(ctx, f) {
    var d = f._flat, xy = d.xy, rs = d.ringStart;
    for (var r = d.featRing[f._k]; r < d.featRing[f._k + 1]; r++) {
      var a = rs[r], b = rs[r + 1];
      if (b <= a) { continue; }
      ctx.moveTo(xy[2 * a], xy[2 * a + 1]);
      for (var i = a + 1; i < b; i++) { ctx.lineTo(xy[2 * i], xy[2 * i + 1]); }
      ctx.closePath();
    }
  }

  function tracePaths(ctx, layers) {
    ctx.beginPath();
    for (var n = 0; n < layers.length; n++) {
      var b = layers[n]._pxBounds;
      if (b && b.max.x - b.min.x < 2 && b.max.y - b.min.y < 2) {
        ctx.rect(b.min.x, b.min.y, Math.max(1, b.max.x - b.min.x), Math.max(1, b.max.y - b.min.y));
        continue;
      }
      if (layers[n]._flat) { traceFlat(ctx, layers[n]); continue; }
      var parts = layers[n]._parts;
      for (var i = 0; i < parts.length; i++) {
        var part = parts[i];
        for (var j = 0; j < part.length; j++) {
          if (j) { ctx.lineTo(part[j].x, part[j].y); } else { ctx.moveTo(part[j].x, part[j].y); }
        }
        ctx.closePath();
      }
    }
  }

  var S = {
    map: null, grid: null, tilesUrl: null, scores: null, scoresVersion: null, painted: 0,
    selected: new Set(), saved: new Set(), labels: null, labelsUrl: null, palette: [], excludedColour: "#9e9e9e",
    texts: {}, locale: "sv-SE", overlays: null, overlaysVersion: null, legend: null, legendVersion: null,
    hover: null, clicks: 0, height: 0, basemap: null, reportPainted: false, firstViewSent: false, reported: null
  };

  function send(type, extra) {
    var msg = { isStreamlitMessage: true, type: type };
    for (var k in extra) { msg[k] = extra[k]; }
    window.parent.postMessage(msg, "*");
  }

  function decodeScores(b64) {
    var bin = atob(b64), n = bin.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) { bytes[i] = bin.charCodeAt(i); }
    return new Float32Array(bytes.buffer);  // little-endian float32, as written by sites.tiles.encode_scores
  }

  // NaN = excluded (grey); negative = outside the filters (outline only); 0..100 = score.
  // Below zoom 14 plain parcels get no outline: at that scale it hides the colour and doubles the drawing.
  // Over-zoomed tiles are drawn at their native zoom and scaled up, so line widths are divided by that scale.
  function styleFor(i, zoom) {
    var s = S.scores && i < S.scores.length ? S.scores[i] : NaN;
    var mapZoom = S.map ? S.map.getZoom() : zoom, scale = Math.pow(2, Math.max(0, mapZoom - zoom));
    var outline = mapZoom >= 14, st;
    if (s >= 0) {
      st = { fill: true, fillColor: S.palette[Math.max(0, Math.min(S.palette.length - 1, Math.round(s)))],
             fillOpacity: 0.8, stroke: outline, color: "#444", weight: 0.4, opacity: 0.7 };
    } else if (s < 0) {
      st = { fill: false, stroke: true, color: "#9e9e9e", weight: 0.5, opacity: 0.6 };
    } else {
      st = { fill: true, fillColor: S.excludedColour, fillOpacity: 0.55, stroke: outline, color: "#777",
             weight: 0.4, opacity: 0.6 };
    }
    if (S.saved.has(i)) { st.color = "#7b3294"; st.weight = 2.5; st.opacity = 1; st.stroke = true; }
    if (S.selected.has(i)) { st.color = "#e41a1c"; st.weight = 3.5; st.opacity = 1; st.stroke = true; }
    st.weight = st.weight / scale;
    return st;
  }

  // Full Leaflet path options per distinct style, shared by every parcel that has it. The key is a
  // number made of what styleFor depends on (score bucket, excluded or filtered, saved, selected,
  // outline, over-zoom), so a restyle of 100,000 parcels allocates nothing for the ones it has seen.
  var styleCache = {};
  function styleKey(i, zoom) {
    var s = S.scores && i < S.scores.length ? S.scores[i] : NaN;
    var bucket = s >= 0 ? Math.max(0, Math.min(S.palette.length - 1, Math.round(s))) : (s < 0 ? 1001 : 1002);
    var mapZoom = S.map ? S.map.getZoom() : zoom;
    var mark = S.selected.has(i) ? 2 : (S.saved.has(i) ? 1 : 0);
    return ((bucket * 3 + mark) * 2 + (mapZoom >= 14 ? 1 : 0)) * 32 + Math.max(0, Math.min(31, mapZoom - zoom));
  }
  function fullStyle(i, zoom) {
    var key = styleKey(i, zoom);
    return styleCache[key] || (styleCache[key] = L.extend({ pmFull: true }, L.Path.prototype.options, styleFor(i, zoom)));
  }

  // Rank among scored parcels, as analysis.scoring.rank: higher float32 score first, ties in table order.
  function rankOf(i) {
    var s = S.scores, si = s[i], r = 1;
    if (!(si >= 0)) { return 0; }
    for (var j = 0; j < s.length; j++) {
      var sj = s[j];
      if (sj > si || (sj === si && j < i)) { r++; }
    }
    return r;
  }

  function fmt(x, digits) {
    return x.toLocaleString(S.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function showHover(i) {
    var box = S.hover;
    box.textContent = "";
    var title = document.createElement("div");
    var name = S.labels ? S.labels.designation[i] : "";
    title.textContent = name || (S.labels ? S.labels.parcel_id[i] : "#" + i);
    box.appendChild(title);
    var line = document.createElement("div");
    var s = S.scores ? S.scores[i] : NaN;
    if (s >= 0) {
      line.textContent = (S.texts.score || "Score") + " " + fmt(s, 1) + " · " + (S.texts.rank || "Rank") + " " +
        fmt(rankOf(i), 0);
    } else if (s < 0) {
      line.textContent = S.texts.filtered || "outside the filters";
    } else {
      line.textContent = S.texts.excluded || "excluded";
    }
    box.appendChild(line);
  }

  function loadLabels(url) {
    if (url === S.labelsUrl) { return; }
    S.labelsUrl = url;
    fetch(url).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (d && url === S.labelsUrl) { S.labels = d; }
    }).catch(function () { /* hover falls back to the index */ });
  }

  // Beyond the tiles' maximum zoom Leaflet scales the tiles up, which blurred the parcels: an
  // over-zoomed tile's canvas gets as many pixels as the screen shows (up to 4x, 1024 px a side),
  // and its drawing is scaled to match; set when the tile is made and again after each zoom.
  var MAX_TILE_SCALE = 4;
  function fitResolution(tile) {
    if (!S.map || !tile._ctx) { return; }
    var scale = Math.min(MAX_TILE_SCALE, Math.pow(2, Math.max(0, Math.round(S.map.getZoom()) - tile._tileCoord.z)));
    if (tile._pxScale === scale) { return; }
    tile._pxScale = scale;
    var canvas = tile._container;
    canvas.width = tile._size.x * scale;  // resets the context, and clears the canvas
    canvas.height = tile._size.y * scale;
    canvas.style.width = tile._size.x + "px";
    canvas.style.height = tile._size.y + "px";
    tile._ctx.setTransform(scale, 0, 0, scale, 0, 0);
  }

  // Re-apply styles to every feature of every loaded tile; canvas redraws are batched per frame.
  function restyle() {
    var grid = S.grid, t0 = performance.now();
    if (!grid || !grid._vectorTiles) { return; }
    for (var key in grid._vectorTiles) {
      var tile = grid._vectorTiles[key];
      if (!tile._map) { continue; }
      var feats = tile._features, z = tile._tileCoord.z;
      for (var id in feats) {
        var f = feats[id].feature;
        f.options = fullStyle(f.properties.i, z);
      }
      tile._redrawBounds = null;  // redraw the whole tile once
      fitResolution(tile);
      tile._redraw();
    }
    document.body.setAttribute("data-restyle-ms", String(Math.round(performance.now() - t0)));
  }

  function markPainted(version, scoresVersion, t0) {
    requestAnimationFrame(function () {
      requestAnimationFrame(function () {
        if (version !== S.painted) {  // when these colours and outlines first showed (read by the benchmark)
          document.body.setAttribute("data-render-ms", String(Math.round(performance.now() - t0)));
          document.body.setAttribute("data-t-painted", String(Date.now()));
        }
        S.painted = version;
        document.body.setAttribute("data-painted", version);
        if (S.firstViewSent) { reportPainted(scoresVersion); }
      });
    });
  }

  function buildGrid(a) {
    if (S.grid) { S.map.removeLayer(S.grid); }
    S.tilesUrl = a.tiles_url;
    var b = a.bounds;
    S.grid = L.vectorGrid.protobuf(new URL(a.tiles_url, document.baseURI).href.replace(/%7B/g, "{").replace(/%7D/g, "}"), {
      rendererFactory: L.canvas.tile,
      interactive: true,
      getFeatureId: function (f) { return f.properties.i; },
      vectorTileLayerStyles: { parcels: function (props, z) { return fullStyle(props.i, z); } },
      minNativeZoom: a.min_zoom, maxNativeZoom: a.max_zoom, maxZoom: 19,
      bounds: L.latLngBounds([b[1], b[0]], [b[3], b[2]]),
      keepBuffer: 4, updateWhenZooming: false
    });
    S.grid.on("mouseover", function (e) { var l = e.propagatedFrom || e.layer; if (l && l.properties) { showHover(l.properties.i); } });
    S.grid.on("mouseout", function () { S.hover.textContent = ""; });
    S.grid.on("click", function (e) {
      var l = e.propagatedFrom || e.layer;
      if (!l || !l.properties) { return; }
      var i = l.properties.i;
      S.clicks += 1;
      S.selected = new Set([i]);
      restyle();
      send("streamlit:setComponentValue", { value: { index: i, clicks: S.clicks }, dataType: "json" });
    });
    // The other layers (roads, lines, stations; SVG) wait for the first tiles: drawn first, they
    // would hold the tiles' decoding back by ~0.1 s on a first render.
    S.tilesPending = true;
    setTimeout(flushOverlays, 1500);  // and not longer, should no tile ever load
    S.grid.on("load", function () {
      if (S.tilesPending) { setTimeout(flushOverlays, 0); }
      if (!S.firstViewSent) { S.firstViewSent = true; reportPainted(S.scoresVersion); }
      var n = 0;
      for (var k in S.grid._vectorTiles) { n += Object.keys(S.grid._vectorTiles[k]._features).length; }
      document.body.setAttribute("data-tiles-loaded", String(n));  // features drawn in loaded tiles
      if (!document.body.hasAttribute("data-t-tiles")) { document.body.setAttribute("data-t-tiles", String(Date.now())); }
    });
    S.grid.addTo(S.map);
    S.map.on("zoomend", restyle);  // outlines on or off, line widths for the new scale
  }

  // The other layers come as a file named by its content: fetched once per change, not with every rerun.
  function loadOverlays(url) {
    fetch(new URL(url, document.baseURI).href).then(function (r) { return r.ok ? r.json() : []; }).then(function (list) {
      if (url !== S.overlaysUrl) { return; }
      if (S.tilesPending) { S.pendingOverlays = list; } else { drawOverlays(list); }
    }).catch(function () { /* the parcels stay usable without the other layers */ });
  }

  function flushOverlays() {
    S.tilesPending = false;
    if (S.pendingOverlays) {
      var list = S.pendingOverlays;
      S.pendingOverlays = null;
      drawOverlays(list);
    }
  }

  function drawOverlays(list) {
    if (S.overlays) { S.map.removeLayer(S.overlays); }
    S.overlays = L.layerGroup();
    (list || []).forEach(function (o) {
      var style = o.style || {};
      var layer = L.geoJSON(o.data, {
        style: function () { return style; },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, L.extend({ radius: style.radius || 5 }, style)); },
        onEachFeature: function (f, lyr) {
          var prop = o.tooltip;
          if (prop && f.properties && f.properties[prop] != null) {
            var el = document.createElement("span");
            el.textContent = String(f.properties[prop]);
            lyr.bindTooltip(el, { sticky: true });
          }
        }
      });
      S.overlays.addLayer(layer);
    });
    S.overlays.addTo(S.map);
    if (S.grid) { S.grid.bringToBack(); }
  }

  function drawLegend(spec) {
    if (S.legend) { S.map.removeControl(S.legend); S.legend = null; }
    if (!spec) { return; }
    S.legend = L.control({ position: "bottomright" });
    S.legend.onAdd = function () {
      var div = L.DomUtil.create("div", "pm-legend");
      var t = L.DomUtil.create("div", "pm-title", div);
      t.textContent = spec.title || "";
      var bar = L.DomUtil.create("div", "pm-bar", div);
      bar.style.background = "linear-gradient(to right, " + S.palette.filter(function (_, k) { return k % 10 === 0; }).join(", ") + ")";
      var ends = L.DomUtil.create("div", "pm-ends", div);
      L.DomUtil.create("span", "", ends).textContent = spec.low || "0";
      L.DomUtil.create("span", "", ends).textContent = spec.high || "100";
      (spec.items || []).forEach(function (it) {
        var row = L.DomUtil.create("div", "pm-row", div);
        var sw = L.DomUtil.create("span", "pm-swatch", row);
        sw.style.background = /^#[0-9a-fA-F]{3,8}$/.test(it.colour || "") ? it.colour : "transparent";
        if (it.outline && /^#[0-9a-fA-F]{3,8}$/.test(it.outline)) { sw.style.border = "2px solid " + it.outline; }
        L.DomUtil.create("span", "", row).textContent = it.label;
      });
      return div;
    };
    S.legend.addTo(S.map);
  }

  function init(a) {
    var el = document.getElementById("map");
    el.style.height = a.height + "px";
    // Overlays are SVG: only their painted, interactive paths take the mouse (index.html's CSS), so
    // hover and click reach the parcel tiles underneath everywhere else.
    S.map = L.map(el, { preferCanvas: false, zoomControl: true, attributionControl: !!a.basemap_url });
    if (a.basemap_url) {
      L.tileLayer(a.basemap_url, { maxZoom: 19, attribution: a.basemap_attribution || "" }).addTo(S.map);
    }
    if (a.center && a.zoom != null) {
      S.map.setView(a.center, a.zoom);
    } else {
      var b = a.bounds;
      S.map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
    }
    var Hover = L.Control.extend({ onAdd: function () { return L.DomUtil.create("div", "pm-hover"); } });
    var hover = new Hover({ position: "topright" });
    hover.addTo(S.map);
    S.hover = hover.getContainer();
  }

  // Asked to (``report_painted``), the map says which scores it shows once they are on screen: when
  // its first tiles are drawn (or, should none load, after 2.5 s), then after each repaint with
  // scores it has not reported yet. The value changes, so the script reruns: the page draws what
  // waited for the map in that run (the sidebar's controls at first, the ranking and the site panel
  // after a weight change), and the map's paint is not held back by them.
  function reportPainted(version) {
    if (!S.reportPainted || version == null || version === S.reported) { return; }
    S.reported = version;
    send("streamlit:setComponentValue", { value: { index: null, clicks: S.clicks, painted: version }, dataType: "json" });
  }

  function render(a) {
    var t0 = performance.now();
    S.reportPainted = !!a.report_painted;
    if (S.reportPainted && !S.paintedTimer) {
      S.paintedTimer = setTimeout(function () {
        if (!S.firstViewSent) { S.firstViewSent = true; reportPainted(S.scoresVersion); }
      }, 2500);
    }
    if (!S.map) { init(a); }
    if (a.height !== S.height) {
      S.height = a.height;
      document.getElementById("map").style.height = a.height + "px";
      S.map.invalidateSize();
      send("streamlit:setFrameHeight", { height: a.height });
    }
    S.palette = a.palette;
    S.excludedColour = a.excluded_colour;
    var paletteKey = a.palette.join(",") + "|" + a.excluded_colour;
    if (paletteKey !== S.paletteKey) { S.paletteKey = paletteKey; styleCache = {}; }
    S.texts = a.texts || {};
    S.locale = a.locale || "sv-SE";
    loadLabels(new URL(a.labels_url, document.baseURI).href);
    var changed = false;
    if (a.scores_version !== S.scoresVersion) {
      S.scores = decodeScores(a.scores);
      S.scoresVersion = a.scores_version;
      changed = true;
    }
    var sel = new Set(a.selected || []), sav = new Set(a.saved || []);
    if (!sameSet(sel, S.selected) || !sameSet(sav, S.saved)) {
      S.selected = sel;
      S.saved = sav;
      changed = true;
    }
    if (a.tiles_url !== S.tilesUrl) {
      buildGrid(a);
      changed = false;  // new tiles are styled as they load
    }
    if (a.overlays_url !== S.overlaysUrl) {
      S.overlaysUrl = a.overlays_url;
      loadOverlays(a.overlays_url);
    }
    var lv = JSON.stringify(a.legend || null);
    if (lv !== S.legendVersion) {
      S.legendVersion = lv;
      drawLegend(a.legend);
    }
    if (changed) { restyle(); }
    markPainted(a.scores_version + "|" + (a.selected || []).join(",") + "|" + (a.saved || []).join(","),
                a.scores_version, t0);
  }

  function sameSet(a, b) {
    if (a.size !== b.size) { return false; }
    var same = true;
    a.forEach(function (v) { if (!b.has(v)) { same = false; } });
    return same;
  }

  window.addEventListener("message", function (ev) {
    var d = ev.data;
    if (d && d.type === "streamlit:render") {
      if (!document.body.hasAttribute("data-t-args")) { document.body.setAttribute("data-t-args", String(Date.now())); }
      render(d.args);
    }
  });
  S.decodeInWorker = decodeInWorker;  // compared with VectorGrid's decoder by tests/browser/test_parcel_map.py
  window.__parcelMap = S;  // read by the browser benchmark and tests
  document.body.setAttribute("data-t-script", String(Date.now()));
  send("streamlit:componentReady", { apiVersion: 1 });
})();
