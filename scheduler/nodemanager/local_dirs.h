// Listing the Node Manager's local directories (<dir>/apps, an
// application's containers). Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

namespace mr::sched::nm {

// Names of the subdirectories of `dir`, sorted; empty if it cannot be read.
std::vector<std::string> SubdirectoryNames(const std::string& dir);

}  // namespace mr::sched::nm
