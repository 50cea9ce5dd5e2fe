// Inverted index: for every word, the places where it occurs.
//
//   word \t FILE:OFFSET,FILE:OFFSET,...
//
// A place is a line: the path of its input file as the job was given it (a
// local path, or the DFS path on a cluster) and the byte offset of the line's
// first byte in that file (Context::input_file() and input_offset()). Places
// are sorted by file (bytes) then offset, and each is listed once, however
// often the word occurs in the line. Words are split as wordcount splits
// them (mr::ForEachWord). A path holding ',' makes its line ambiguous to read back; FILE is
// everything before the last ':' of a place.
//
// Map output values are lists of places, each "FILE:OFFSET", joined by NUL
// (which no path holds); the combiner merges lists, the reducer merges them
// and joins the places with ','.
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mapreduce/library.h"
#include "mapreduce/mapreduce.h"

namespace {

class PlacesMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    words_.clear();
    mr::ForEachWord(line, [&](std::string_view word) { words_.push_back(word); });
    if (words_.empty()) return;
    std::sort(words_.begin(), words_.end());
    words_.erase(std::unique(words_.begin(), words_.end()), words_.end());
    place_.assign(context.input_file());
    place_ += ':';
    place_ += std::to_string(context.input_offset());
    for (std::string_view word : words_) context.Emit(word, place_);
  }

 private:
  std::vector<std::string_view> words_;
  std::string place_;
};

struct Place {
  std::string_view file;
  uint64_t offset;
  std::string_view text;  // "FILE:OFFSET"
};

bool operator<(const Place& a, const Place& b) {
  return a.file != b.file ? a.file < b.file : a.offset < b.offset;
}

// Merges lists of places into one sorted list without repeats, joined by
// `separator`. Serves as the combiner (NUL) and the reducer (',').
template <char separator>
class MergePlacesReducer : public mr::Reducer {
 public:
  void Reduce(std::string_view key, mr::ValueIterator& values, mr::Context& context) override {
    // A value's view lasts until the next one: gather them first.
    lists_.clear();
    std::string_view value;
    while (values.Next(&value)) {
      lists_.append(value);
      lists_ += '\0';
    }
    places_.clear();
    std::string_view list = lists_;
    while (!list.empty()) {
      size_t nul = list.find('\0');
      if (nul > 0) Add(list.substr(0, nul));
      list.remove_prefix(nul == std::string_view::npos ? list.size() : nul + 1);
    }
    std::sort(places_.begin(), places_.end());
    merged_.clear();
    for (size_t i = 0; i < places_.size(); ++i) {
      if (i > 0 && places_[i].file == places_[i - 1].file &&
          places_[i].offset == places_[i - 1].offset) {
        continue;
      }
      if (!merged_.empty()) merged_ += separator;
      merged_.append(places_[i].text);
    }
    context.Emit(key, merged_);
  }

 private:
  void Add(std::string_view text) {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return;  // Not a place: no map output is like this.
    uint64_t offset = 0;
    std::from_chars(text.data() + colon + 1, text.data() + text.size(), offset);
    places_.push_back({text.substr(0, colon), offset, text});
  }

  std::string lists_;          // The values, each ending in NUL.
  std::vector<Place> places_;  // Views into lists_.
  std::string merged_;
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("invertedindex");
  job.SetMapper<PlacesMapper>()
      .SetCombiner<MergePlacesReducer<'\0'>>()
      .SetReducer<MergePlacesReducer<','>>();
  return mr::JobMain(argc, argv, job);
}
