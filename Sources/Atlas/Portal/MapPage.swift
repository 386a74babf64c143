import Foundation

/// Leaflet's script and stylesheet, read from Debian's `libjs-leaflet` package, ready to inline:
/// the stylesheet's images become data URIs and source-map comments are dropped, so the page asks
/// for nothing.
public struct LeafletAssets: Sendable {
    public var script: String
    public var stylesheet: String

    /// Where Debian's `libjs-leaflet` puts Leaflet.
    public static let debianFolder = "/usr/share/javascript/leaflet"

    /// The folder to read: `ATLAS_LEAFLET_DIR` when set, else Debian's.
    public static var defaultFolder: String {
        ProcessInfo.processInfo.environment["ATLAS_LEAFLET_DIR"] ?? debianFolder
    }

    public static func load(folder: String = LeafletAssets.defaultFolder) throws -> LeafletAssets {
        let scriptPath = folder + "/leaflet.js", cssPath = folder + "/leaflet.css"
        for path in [scriptPath, cssPath] where !FileManager.default.fileExists(atPath: path) {
            throw AtlasError(
                file: path,
                "Leaflet is missing; the map page inlines it from Debian's libjs-leaflet (apt-get install libjs-leaflet), or from the folder ATLAS_LEAFLET_DIR names")
        }
        guard let script = FileManager.default.contents(atPath: scriptPath).map({ String(decoding: $0, as: UTF8.self) }),
            var css = FileManager.default.contents(atPath: cssPath).map({ String(decoding: $0, as: UTF8.self) })
        else { throw AtlasError(file: folder, "cannot read Leaflet's files") }
        for image in ["layers.png", "layers-2x.png", "marker-icon.png"] {
            let path = folder + "/images/" + image
            let replacement = FileManager.default.contents(atPath: path).map { "url(data:image/png;base64,\($0.base64EncodedString()))" } ?? "none"
            css = css.replacingOccurrences(of: "url(images/\(image))", with: replacement)
        }
        return LeafletAssets(script: withoutSourceMaps(script), stylesheet: withoutSourceMaps(css))
    }

    static func withoutSourceMaps(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains("sourceMappingURL=") }
            .joined(separator: "\n")
    }
}

/// One self-contained HTML page that shows layers on an interactive map and opens offline:
/// Leaflet inlined, each layer's features as SVG paths coloured by class, a layer switcher, a
/// legend, a tooltip with the area's name and value and a popup with its attributes; features
/// without a value are hatched grey. There is no background map, so the page makes no request.
public struct MapPage {
    public struct Entry {
        /// Features in WGS 84 lon/lat.
        public var layer: Layer
        public var style: LayerStyle

        public init(layer: Layer, style: LayerStyle) {
            self.layer = layer
            self.style = style
        }
    }

    public var title: String
    public var entries: [Entry]
    public var language: ReportLanguage
    /// Decimals of the coordinates in the page (5 ≈ 1 m).
    public var precision = 5
    /// More features than this make a page too heavy for a browser to draw as SVG.
    public static let maximumFeatures = 50_000

    public init(title: String, entries: [Entry], language: ReportLanguage = .swedish) {
        self.title = title
        self.entries = entries
        self.language = language
    }

    /// The page for layers read from files, each styled by `field` (or, where a layer has no such
    /// field, by its `"atlas:run"` primary property). Layers are reprojected to WGS 84.
    public static func forLayers(
        _ layers: [(layer: Layer, source: String)], fields: [String], title: String? = nil, classes: Int? = nil,
        scheme: ClassificationScheme? = nil, language: ReportLanguage = .swedish, session: Session
    ) throws -> MapPage {
        guard !layers.isEmpty else { throw AtlasError("a map needs at least one layer") }
        guard fields.count == 1 || fields.count == layers.count else {
            throw AtlasError("give one value field for all layers or one per layer (\(layers.count)), not \(fields.count)")
        }
        let entries = try layers.enumerated().map { k, item in
            var field = fields.count == 1 ? fields[0] : fields[k]
            if (try? item.layer.fieldIndex(field)) == nil, let primary = item.layer.metadata["atlas:run"]?["primary"]?.string {
                field = primary
            }
            let style = try LayerStyle(
                layer: item.layer, source: item.source, field: field, classes: classes, scheme: scheme, language: language)
            return Entry(layer: try item.layer.reprojected(to: .wgs84, context: session.proj), style: style)
        }
        let sv = language == .swedish
        return MapPage(title: title ?? (entries.count == 1 ? entries[0].style.title : (sv ? "Karta" : "Map")), entries: entries, language: language)
    }

    /// Writes the page whole or not at all.
    public func write(to path: String, leaflet: LeafletAssets) throws {
        let file = try AtomicFile(path: path)
        try file.write(html(leaflet: leaflet))
        try file.commit()
    }

    public func html(leaflet: LeafletAssets) -> String {
        let sv = language == .swedish
        var out = "<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\">\n<head>\n<meta charset=\"utf-8\">\n"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        out += "<title>\(Self.escape(title))</title>\n"
        out += "<style>\n\(Self.scriptSafe(leaflet.stylesheet))\n</style>\n"
        out += "<style>\n\(Self.css)\n</style>\n</head>\n<body>\n"
        out += "<svg width=\"0\" height=\"0\" style=\"position:absolute\" aria-hidden=\"true\"><defs>"
        out += "<pattern id=\"atlas-missing\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        out += "<rect width=\"6\" height=\"6\" fill=\"#eeeeee\"/><rect width=\"2\" height=\"6\" fill=\"#9e9e9e\"/></pattern></defs></svg>\n"
        out += "<div id=\"map\" role=\"region\" aria-label=\"\(Self.escape(title))\"></div>\n"
        out += "<noscript>\(sv ? "Kartan behöver JavaScript." : "The map needs JavaScript.")</noscript>\n"
        out += "<script>\n\(Self.scriptSafe(leaflet.script))\n</script>\n"
        out += "<script>\nvar ATLAS_MAP = \(Self.scriptSafe(data().serialized));\n\(Self.script)\n</script>\n"
        out += "</body>\n</html>\n"
        return out
    }

    /// What the page's script draws: per layer its style and features with their class and texts.
    func data() -> JSONValue {
        let sv = language == .swedish
        let layers: [JSONValue] = entries.map { entry in
            let style = entry.style
            let fieldIndex = entry.layer.fields.firstIndex { $0.name == style.field }
            let nameIndex = style.nameField.flatMap { name in entry.layer.fields.firstIndex { $0.name == name } }
            let attributeIndices = style.attributes.map { a in entry.layer.fields.firstIndex { $0.name == a.name } }
            var features: [JSONValue] = []
            for feature in entry.layer.features {
                guard let geometry = feature.geometry else { continue }
                let value = fieldIndex.map { feature.values[$0] } ?? .null
                let classIndex = value.parsedNumber.map(style.classIndex(of:))
                let rows: [JSONValue] = attributeIndices.map { i in
                    guard let i else { return .string("–") }
                    let v = feature.values[i]
                    if v.isNull { return .string("–") }
                    return .string(entry.layer.fields[i].name == style.field ? style.formatted(v) : Self.text(v, sv: sv))
                }
                features.append(.object([
                    ("type", .string("Feature")),
                    ("properties", .object([
                        ("c", classIndex.map { .int($0) } ?? .null),
                        ("n", .string(nameIndex.map { feature.values[$0].text ?? "" } ?? "")),
                        ("v", .string(value.isNull ? style.missingLabel : style.formatted(value))),
                        ("a", .array(rows)),
                    ])),
                    ("geometry", rounded(geometry)),
                ]))
            }
            return .object([
                ("title", .string(style.title)), ("field", .string(style.field)), ("kind", .string(style.geometry.rawValue)),
                ("colors", .array(style.classes.map { .string($0.color) })),
                ("labels", .array(style.classes.map { .string($0.label) })),
                ("counts", .array(style.classes.map { .int($0.count) })),
                ("missing", .object([("label", .string(style.missingLabel)), ("count", .int(style.missingCount))])),
                ("attributes", .array(style.attributes.map { .string($0.label) })),
                ("data", .object([("type", .string("FeatureCollection")), ("features", .array(features))])),
            ])
        }
        return .object([("layers", .array(layers))])
    }

    static func text(_ value: Value, sv: Bool) -> String {
        switch value {
        case .double(let d): ValueFormat.number(decimals: d == d.rounded() ? 0 : 2).format(d, sv ? .swedish : .english)
        case .int(let i): ValueFormat.count.format(Double(i), sv ? .swedish : .english)
        case .bool(let b): b ? (sv ? "ja" : "yes") : (sv ? "nej" : "no")
        default: value.text ?? "–"
        }
    }

    /// The geometry as GeoJSON with coordinates rounded to `precision` decimals.
    func rounded(_ geometry: Geometry) -> JSONValue {
        let scale = pow(10, Double(precision))
        func position(_ c: Coordinate) -> JSONValue {
            .array([.double((c.x * scale).rounded() / scale), .double((c.y * scale).rounded() / scale)])
        }
        func line(_ cs: [Coordinate]) -> JSONValue { .array(cs.map(position)) }
        func polygon(_ rings: [[Coordinate]]) -> JSONValue { .array(rings.map(line)) }
        func object(_ type: String, _ coordinates: JSONValue) -> JSONValue {
            .object([("type", .string(type)), ("coordinates", coordinates)])
        }
        switch geometry {
        case .point(let c): return object("Point", position(c))
        case .multiPoint(let cs): return object("MultiPoint", line(cs))
        case .lineString(let cs): return object("LineString", line(cs))
        case .multiLineString(let lines): return object("MultiLineString", .array(lines.map(line)))
        case .polygon(let rings): return object("Polygon", polygon(rings))
        case .multiPolygon(let polygons): return object("MultiPolygon", .array(polygons.map(polygon)))
        case .collection(let parts):
            return .object([("type", .string("GeometryCollection")), ("geometries", .array(parts.map(rounded)))])
        }
    }

    static func escape(_ text: String) -> String {
        QGISStyle.xml(text)
    }

    /// Text placed inside `<script>` or `<style>` must not close the element early.
    static func scriptSafe(_ text: String) -> String {
        text.replacingOccurrences(of: "</", with: "<\\/")
    }

    static let css = """
        html, body { height: 100%; margin: 0; }
        body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; }
        #map { position: absolute; inset: 0; background: #f3f3f0; }
        .atlas-box { background: #fff; padding: 8px 11px; border-radius: 5px; box-shadow: 0 1px 5px rgba(0,0,0,.35); }
        .atlas-title h1 { font-size: 16px; margin: 0; max-width: 40vw; }
        .atlas-legend { max-width: 280px; }
        .atlas-legend h2 { font-size: 14px; margin: 0; }
        .atlas-legend-field { color: #666; font-size: 12px; margin: 0 0 6px; }
        .atlas-legend-item { display: flex; align-items: center; gap: 7px; margin: 3px 0; }
        .atlas-legend-item svg { flex: none; }
        .atlas-legend-count { color: #666; margin-left: auto; padding-left: 10px; font-variant-numeric: tabular-nums; }
        .atlas-popup table { border-collapse: collapse; }
        .atlas-popup th { text-align: left; font-weight: normal; color: #555; padding: 1px 10px 1px 0; vertical-align: top; }
        .atlas-popup td { font-variant-numeric: tabular-nums; }
        .leaflet-control-layers-base label { margin: 2px 0; }
        """

    /// Draws `ATLAS_MAP`: the first layer shown, the others behind the layer switcher's radio
    /// buttons, the legend following the layer shown.
    static let script = """
        (function () {
          'use strict';
          function esc(s) {
            return String(s).replace(/[&<>"']/g, function (c) {
              return {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c];
            });
          }
          var map = L.map('map', {renderer: L.svg({padding: 0.5}), zoomSnap: 0.25, preferCanvas: false});
          map.attributionControl.setPrefix('Leaflet');
          var specs = ATLAS_MAP.layers, groups = [], base = {};
          function areaStyle(spec, c) {
            var missing = c === null || c === undefined;
            return {
              fillColor: missing ? 'url(#atlas-missing)' : spec.colors[c], fillOpacity: 1,
              color: spec.kind === 'line' ? (missing ? '#9e9e9e' : spec.colors[c]) : '#ffffff',
              weight: spec.kind === 'line' ? 3 : 0.8, opacity: 1,
              className: 'atlas-area ' + (missing ? 'atlas-missing' : 'atlas-class-' + c)
            };
          }
          specs.forEach(function (spec, i) {
            var group = L.geoJSON(spec.data, {
              style: function (f) { return areaStyle(spec, f.properties.c); },
              pointToLayer: function (f, latlng) {
                var s = areaStyle(spec, f.properties.c);
                s.radius = 5; s.color = '#333333'; s.weight = 1;
                return L.circleMarker(latlng, s);
              },
              onEachFeature: function (f, layer) {
                var p = f.properties;
                layer.bindTooltip('<b>' + esc(p.n) + '</b><br>' + esc(spec.field) + ': ' + esc(p.v), {sticky: true});
                var rows = spec.attributes.map(function (label, k) {
                  return '<tr><th>' + esc(label) + '</th><td>' + esc(p.a[k]) + '</td></tr>';
                }).join('');
                layer.bindPopup('<div class="atlas-popup"><b>' + esc(p.n) + '</b><table>' + rows + '</table></div>');
                layer.on('mouseover', function () { if (layer.setStyle) layer.setStyle({weight: 2.5, color: '#222222'}); });
                layer.on('mouseout', function () { group.resetStyle(layer); });
              }
            });
            groups.push(group);
            base[esc(spec.title)] = group;
          });
          groups[0].addTo(map);
          map.fitBounds(groups[0].getBounds(), {padding: [12, 12]});

          var title = L.control({position: 'topleft'});
          title.onAdd = function () {
            var div = L.DomUtil.create('div', 'atlas-box atlas-title');
            div.innerHTML = '<h1>' + esc(document.title) + '</h1>';
            return div;
          };
          title.addTo(map);
          L.control.layers(base, null, {collapsed: false, position: 'topright'}).addTo(map);
          L.control.scale({imperial: false}).addTo(map);

          function swatch(spec, fill) {
            if (spec.kind === 'point') {
              return '<svg width="18" height="18"><circle cx="9" cy="9" r="6" fill="' + fill + '" stroke="#333" stroke-width="1"/></svg>';
            }
            return '<svg width="22" height="14"><rect x="0.5" y="0.5" width="21" height="13" fill="' + fill + '" stroke="#999" stroke-width="1"/></svg>';
          }
          var legend = L.control({position: 'bottomright'});
          legend.onAdd = function () { return L.DomUtil.create('div', 'atlas-box atlas-legend'); };
          legend.addTo(map);
          function showLegend(i) {
            var spec = specs[i];
            var html = '<h2>' + esc(spec.title) + '</h2>';
            if (spec.title.indexOf(spec.field) < 0) html += '<div class="atlas-legend-field">' + esc(spec.field) + '</div>';
            spec.labels.forEach(function (label, k) {
              html += '<div class="atlas-legend-item" data-class="' + k + '">' + swatch(spec, spec.colors[k]) +
                '<span class="atlas-legend-label">' + esc(label) + '</span><span class="atlas-legend-count">' + spec.counts[k] + '</span></div>';
            });
            if (spec.missing.count > 0) {
              html += '<div class="atlas-legend-item atlas-legend-missing" data-class="missing">' + swatch(spec, 'url(#atlas-missing)') +
                '<span class="atlas-legend-label">' + esc(spec.missing.label) + '</span><span class="atlas-legend-count">' + spec.missing.count + '</span></div>';
            }
            legend.getContainer().innerHTML = html;
          }
          showLegend(0);
          map.on('baselayerchange', function (e) {
            showLegend(groups.indexOf(e.layer));
            map.fitBounds(e.layer.getBounds(), {padding: [12, 12]});
          });
          document.body.setAttribute('data-atlas-ready', 'true');
        })();
        """
}
