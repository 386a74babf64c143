// The reading peer of Scripts/bench_io.sh: simdjson, the fastest JSON parser at hand, on one
// core over a GeoJSON FeatureCollection that is already in memory.
//   DOM:       the whole document parsed to simdjson's tape (every number converted), the
//              parser's memory reused from an earlier run, nothing built from it;
//   On-Demand: every feature walked, each property and coordinate converted and summed.
// Usage: simdjson_peer FILE RUNS → prints the best seconds of each and what On-Demand counted.
#include <simdjson.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
using namespace simdjson;

static double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int main(int argc, char** argv) {
  if (argc != 3) { fprintf(stderr, "usage: simdjson_peer FILE RUNS\n"); return 2; }
  padded_string json;
  if (padded_string::load(argv[1]).get(json)) { fprintf(stderr, "%s: cannot read\n", argv[1]); return 1; }
  int runs = atoi(argv[2]);
  double dom_best = 1e9, walk_best = 1e9, sum = 0;
  size_t features = 0, positions = 0;
  dom::parser dom_parser;
  ondemand::parser walk_parser;
  for (int r = 0; r <= runs; r++) {
    double t0 = now();
    dom::element root;
    if (dom_parser.parse(json).get(root)) { fprintf(stderr, "%s: not JSON\n", argv[1]); return 1; }
    double t1 = now();
    // The first run only sizes the parsers' memory.
    if (r > 0 && t1 - t0 < dom_best) dom_best = t1 - t0;

    features = positions = 0;
    sum = 0;
    ondemand::document doc = walk_parser.iterate(json);
    for (ondemand::object feature : doc["features"]) {
      features++;
      for (auto member : feature) {
        std::string_view key = member.unescaped_key();
        if (key == "properties") {
          for (auto property : member.value().get_object()) {
            auto value = property.value();
            ondemand::json_type type = value.type();
            if (type == ondemand::json_type::number) sum += double(value.get_double());
            else if (type == ondemand::json_type::string) sum += std::string_view(value.get_string()).size();
          }
        } else if (key == "geometry") {
          ondemand::object geometry = member.value();
          for (auto ring : geometry["coordinates"])
            for (auto position : ring.get_array()) {
              for (double c : position.get_array()) sum += c;
              positions++;
            }
        }
      }
    }
    double t2 = now();
    if (r > 0 && t2 - t1 < walk_best) walk_best = t2 - t1;
  }
  printf("dom %.6f walk %.6f features %zu positions %zu sum %.3f\n", dom_best, walk_best, features, positions, sum);
  return 0;
}
