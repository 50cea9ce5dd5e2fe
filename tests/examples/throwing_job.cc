// A job whose mapper throws on the line "boom": what a task attempt does
// with an exception from user code (task_attempt_itest).
#include <stdexcept>

#include "mapreduce/mapreduce.h"

namespace {

class ThrowingMapper : public mr::Mapper {
 public:
  void Map(std::string_view, std::string_view line, mr::Context& context) override {
    if (line == "boom") throw std::runtime_error("the mapper saw boom");
    context.Emit(line, "");
  }
};

}  // namespace

int main(int argc, char** argv) {
  mr::Job job("throwing_job");
  job.SetMapper<ThrowingMapper>();
  return mr::JobMain(argc, argv, job);
}
