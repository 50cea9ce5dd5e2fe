#include <algorithm>
#include <string_view>
#include <vector>

#include <gflags/gflags.h>

#include "aggregation_table.h"
#include "common/coding.h"
#include "common/hash.h"
#include "hash_partition.h"
#include "spilling_collector.h"

DEFINE_int32(aggregation_combine_threshold, 8,
             "Map-side aggregation runs the combiner on a key whose next value does not fit in "
             "its table entry once it holds this many values.");

DEFINE_int32(aggregation_table_mb, 16,
             "Map-side aggregation spills its table once its entries, slots and long keys take "
             "this many MiB (past the CPU's cache, looking up a key seen rarely is a memory "
             "miss, and misses cost more than spilling and merging), or once the table with its "
             "overflowed values takes the task's sort buffer.");

namespace mr {

namespace {

// Values that overflowed their entry are combined once they reach this size,
// and again each time they have doubled since the last combine (so a
// combiner that keeps every value, building a list, costs amortized linear
// time: each byte is combined about twice).
constexpr size_t kCombineAtValueBytes = 4096;
// A combine that leaves more than this fraction (in tenths) of the bytes is
// not worth repeating: the key's values then wait for the spill, which
// combines them once, as the sort-based path would.
constexpr size_t kWorthwhileTenths = 9;

// The values stored in an AggregationTable entry.
class EntryValues final : public ValueIterator {
 public:
  explicit EntryValues(std::string_view encoded) : pos_(encoded.data()), end_(pos_ + encoded.size()) {}
  bool Next(std::string_view* value) override {
    uint32_t len;
    const char* p = pos_ < end_ ? DecodeVarint32(pos_, end_, &len) : nullptr;
    if (p == nullptr) return false;
    *value = std::string_view(p, len);
    pos_ = p + len;
    return true;
  }

 private:
  const char* pos_;
  const char* end_;
};

class AggregatingCollector final : public SpillingCollector {
 public:
  AggregatingCollector(const Job& job, const Partitioner& partitioner, const TaskInfo& info,
                       MapOutputOptions options, Counters* counters)
      : SpillingCollector(job, partitioner, info, std::move(options), counters),
        hash_partitioner_(dynamic_cast<const HashPartitioner*>(&partitioner) != nullptr),
        table_budget_bytes_(
            size_t{static_cast<uint32_t>(std::max(1, FLAGS_aggregation_table_mb))} << 20) {}

  void Collect(std::string_view key, std::string_view value) override {
    uint64_t hash = Hash64(key);
    bool inserted = false;
    AggregationTable::Entry* entry = table_.FindOrInsert(key, hash, &inserted);
    if (inserted) {
      // The hash partitioner would hash the key again; reuse ours.
      entry->partition = hash_partitioner_ ? PartitionOfHash(hash, num_partitions_) : PartitionOf(key);
    }
    // Inline values: combine when the value would not fit in the entry and
    // there are enough values to make the call worth it, so that small
    // values never leave their entry. Large ones overflow, and are combined
    // by bytes (OverflowWantsCombine).
    if (!table_.FitsInline(*entry, value) && !entry->overflowed() &&
        entry->value_count >= static_cast<uint32_t>(FLAGS_aggregation_combine_threshold)) {
      CombineInPlace(entry);
    }
    const bool stayed_inline = table_.AddValue(entry, value);
    if (!stayed_inline && OverflowWantsCombine(*entry)) CombineInPlace(entry);
    // The table grows only by a new key or an overflowed value. Spill before
    // the next insertion could take it past its budgets: its lookup
    // structures past --aggregation_table_mb, or all of it (values
    // included) past the sort buffer. A single entry is never spilled alone
    // (a tiny budget would otherwise spill every record).
    if ((inserted || !stayed_inline) && table_.size() > 1) {
      const size_t growth = table_.next_growth_bytes();
      if (table_.lookup_bytes() + growth > table_budget_bytes_ ||
          table_.memory_bytes() + growth > options_.buffer_bytes) {
        SpillBuffered();
      }
    }
  }

 protected:
  bool HasBuffered() const override { return !table_.empty(); }

  void SpillBuffered() override {
    auto writer = NewSpillWriter();
    auto sink = [&](std::string_view k, std::string_view v) { return writer->Append(k, v); };
    int partition = -1;
    std::vector<uint32_t> order = table_.SortedOrder();
    for (size_t n = 0; n < order.size(); ++n) {
      // Sorted order visits the entries at random: fetch ahead.
      constexpr size_t kPrefetchDistance = 8;
      if (n + kPrefetchDistance < order.size()) {
        __builtin_prefetch(&table_.entry(order[n + kPrefetchDistance]));
      }
      AggregationTable::Entry& e = table_.entry(order[n]);
      if (e.value_count == 0) continue;
      if (static_cast<int>(e.partition) != partition) {
        partition = e.partition;
        ThrowIfError(writer->StartPartition(partition));
      }
      EntryValues values(e.values());
      if (e.value_count == 1) {
        // Nothing to combine: the combiner may run zero times on a value.
        std::string_view value;
        values.Next(&value);
        ThrowIfError(writer->Append(e.key(), value));
      } else {
        combiner_->Combine(e.key(), values, sink);
      }
    }
    FinishSpill(writer.get());
    table_.Clear();
  }

 private:
  static bool OverflowWantsCombine(const AggregationTable::Entry& entry) {
    const AggregationTable::Overflow* overflow = entry.overflow_state();
    if (overflow == nullptr || overflow->combining_stopped) return false;
    return overflow->values.size() >= std::max(kCombineAtValueBytes, 2 * overflow->combined_bytes);
  }

  void CombineInPlace(AggregationTable::Entry* entry) {
    const size_t bytes_before = entry->values().size();
    Combine(entry);
    // Still overflowed: remember the size for the doubling rule, and stop
    // combining a key whose values the combiner does not shrink.
    if (AggregationTable::Overflow* overflow = entry->overflow_state()) {
      overflow->combined_bytes = overflow->values.size();
      overflow->combining_stopped = overflow->values.size() * 10 > bytes_before * kWorthwhileTenths;
    }
  }

  void Combine(AggregationTable::Entry* entry) {
    combined_.clear();
    uint32_t count = 0;
    auto sink = [&](std::string_view, std::string_view v) {
      PutVarint32(&combined_, static_cast<uint32_t>(v.size()));
      combined_.append(v);
      ++count;
      return Status::OK();
    };
    EntryValues values(entry->values());
    combiner_->Combine(entry->key(), values, sink);
    table_.ReplaceValues(entry, combined_, count);
  }

  AggregationTable table_;
  bool hash_partitioner_;
  const size_t table_budget_bytes_;
  std::string combined_;
};


}  // namespace

std::unique_ptr<MapOutputCollector> NewAggregatingCollector(const Job& job,
                                                            const Partitioner& partitioner,
                                                            const TaskInfo& info,
                                                            MapOutputOptions options,
                                                            Counters* counters) {
  return std::make_unique<AggregatingCollector>(job, partitioner, info, std::move(options),
                                                counters);
}

}  // namespace mr
