#include "counters.h"

#include "common/json_writer.h"

namespace mr {

Counter* Counters::Get(std::string_view group, std::string_view name) {
  auto key = std::make_pair(std::string(group), std::string(name));
  return &counters_[key];
}

int64_t Counters::Value(std::string_view group, std::string_view name) const {
  auto it = counters_.find(std::make_pair(std::string(group), std::string(name)));
  return it == counters_.end() ? 0 : it->second.value();
}

void Counters::MergeFrom(const Counters& other) {
  for (const auto& [key, counter] : other.counters_) counters_[key].Increment(counter.value());
}

std::string Counters::ToText() const {
  std::string out;
  // Null before the first group: "" is a valid group name.
  const std::string* group = nullptr;
  for (const auto& [key, counter] : counters_) {
    if (group == nullptr || key.first != *group) {
      group = &key.first;
      out += "  " + key.first + "\n";
    }
    out += "    " + key.second + "=" + std::to_string(counter.value()) + "\n";
  }
  return out;
}

void Counters::WriteJson(JsonWriter* json) const {
  json->BeginObject();
  const std::string* group = nullptr;  // As in ToText().
  for (const auto& [key, counter] : counters_) {
    if (group == nullptr || key.first != *group) {
      if (group != nullptr) json->EndObject();
      group = &key.first;
      json->Key(*group).BeginObject();
    }
    json->Key(key.second).Int(counter.value());
  }
  if (group != nullptr) json->EndObject();
  json->EndObject();
}

std::string Counters::ToJson() const {
  JsonWriter json;
  WriteJson(&json);
  return json.str() + "\n";
}

}  // namespace mr
