// GPU detection without a GPU: NVML missing, CUDA_VISIBLE_DEVICES as CUDA applies it,
// --gpu_device selection, process names, and a fake query standing in for NVML.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "foldfit/device/nvml.hpp"

namespace foldfit {
namespace {

DetectedGpu gpu(int index, const std::string& uuid) {
  DetectedGpu g;
  g.index = index;
  g.name = "NVIDIA A100-SXM4-40GB";
  g.uuid = uuid;
  g.total = Bytes::from_mib(40960);
  return g;
}

std::vector<DetectedGpu> four() {
  return {gpu(0, "GPU-aaaa1111-0000-0000-0000-000000000000"), gpu(1, "GPU-bbbb2222-0000-0000-0000-000000000000"),
          gpu(2, "GPU-bbbb3333-0000-0000-0000-000000000000"), gpu(3, "GPU-cccc4444-0000-0000-0000-000000000000")};
}

std::vector<int> visible(const std::optional<std::string>& value) {
  auto gpus = four();
  apply_visible_devices(gpus, value);
  std::vector<int> out;
  for (const auto& g : gpus) out.push_back(g.visible_index);
  return out;
}

TEST(Nvml, MissingLibraryGivesAClearReason) {
  auto q = make_nvml_query("libfoldfit-test-no-such-nvml.so.1");
  EXPECT_TRUE(q->list().empty());
  std::string reason = q->unavailable_reason();
  EXPECT_EQ(reason.rfind("cannot load libfoldfit-test-no-such-nvml.so.1 (the NVIDIA driver's NVML library): ", 0), 0u)
      << reason;
  EXPECT_NE(reason.find("No such file"), std::string::npos) << reason;
}

TEST(Nvml, RealQueryEitherListsOrSaysWhy) {
  // On a machine without the driver (the test machines) list() is empty and the reason
  // names the library; with one, every GPU has a name and memory.
  auto q = make_nvml_query();
  auto gpus = q->list();
  if (gpus.empty()) {
    EXPECT_FALSE(q->unavailable_reason().empty());
  } else {
    EXPECT_TRUE(q->unavailable_reason().empty());
    for (const auto& g : gpus) {
      EXPECT_FALSE(g.name.empty());
      EXPECT_GT(g.total.count(), 0);
    }
  }
}

TEST(VisibleDevices, UnsetShowsAllInOrder) { EXPECT_EQ(visible(std::nullopt), (std::vector<int>{0, 1, 2, 3})); }

TEST(VisibleDevices, EmptyHidesAll) { EXPECT_EQ(visible(""), (std::vector<int>{-1, -1, -1, -1})); }

TEST(VisibleDevices, IndicesReorder) {
  EXPECT_EQ(visible("2,0"), (std::vector<int>{1, -1, 0, -1}));
  EXPECT_EQ(visible("3"), (std::vector<int>{-1, -1, -1, 0}));
  EXPECT_EQ(visible(" 1 , 3 "), (std::vector<int>{-1, 0, -1, 1}));
}

TEST(VisibleDevices, InvalidEntryHidesItAndLaterOnes) {
  EXPECT_EQ(visible("1,7,2"), (std::vector<int>{-1, 0, -1, -1}));   // out of range
  EXPECT_EQ(visible("0,x,2"), (std::vector<int>{0, -1, -1, -1}));   // not a device
  EXPECT_EQ(visible("-1"), (std::vector<int>{-1, -1, -1, -1}));     // the usual "no GPU"
  EXPECT_EQ(visible("2,,3"), (std::vector<int>{-1, -1, 0, -1}));    // empty entry
  EXPECT_EQ(visible("1,1,2"), (std::vector<int>{-1, 0, -1, -1}));   // repeated
  EXPECT_EQ(visible("0,MIG-aaaa1111,1"), (std::vector<int>{0, -1, -1, -1}));
}

TEST(VisibleDevices, UuidPrefixes) {
  EXPECT_EQ(visible("GPU-cccc4444-0000-0000-0000-000000000000"), (std::vector<int>{-1, -1, -1, 0}));
  EXPECT_EQ(visible("GPU-cccc,GPU-aaaa"), (std::vector<int>{1, -1, -1, 0}));
  EXPECT_EQ(visible("gpu-AAAA1111"), (std::vector<int>{0, -1, -1, -1}));
  EXPECT_EQ(visible("GPU-bbbb,0"), (std::vector<int>{-1, -1, -1, -1}));  // ambiguous: 1 and 2
  EXPECT_EQ(visible("0,GPU-dddd"), (std::vector<int>{0, -1, -1, -1}));   // no such GPU
  EXPECT_EQ(visible("GPU-"), (std::vector<int>{-1, -1, -1, -1}));
}

TEST(SelectGpu, CountsVisibleDevices) {
  auto gpus = four();
  apply_visible_devices(gpus, "3,1");
  ASSERT_NE(select_gpu(gpus, 0), nullptr);
  EXPECT_EQ(select_gpu(gpus, 0)->index, 3);
  EXPECT_EQ(select_gpu(gpus, 1)->index, 1);
  EXPECT_EQ(select_gpu(gpus, 2), nullptr);
  EXPECT_EQ(select_gpu(gpus, -1), nullptr);
  apply_visible_devices(gpus, std::nullopt);
  EXPECT_EQ(select_gpu(gpus, 2)->index, 2);
  EXPECT_EQ(select_gpu({}, 0), nullptr);
}

TEST(ProcessName, ReadsComm) {
  auto root = std::filesystem::temp_directory_path() / ("foldfit-proc-" + std::to_string(::getpid()));
  std::filesystem::create_directories(root / "4242");
  std::ofstream(root / "4242" / "comm") << "python3\n";
  EXPECT_EQ(process_name(4242, root.string()), "python3");
  EXPECT_EQ(process_name(4243, root.string()), "");
  std::filesystem::remove_all(root);
}

// A fixed list standing in for NVML, as the planner's tests use it.
class FakeQuery final : public GpuQuery {
 public:
  explicit FakeQuery(std::vector<DetectedGpu> gpus, std::string reason = "")
      : gpus_(std::move(gpus)), reason_(std::move(reason)) {}
  std::vector<DetectedGpu> list() override { return gpus_; }
  std::string unavailable_reason() const override { return reason_; }

 private:
  std::vector<DetectedGpu> gpus_;
  std::string reason_;
};

TEST(FakeQuery, SelectionThroughTheInterface) {
  DetectedGpu busy = gpu(1, "GPU-bbbb2222");
  busy.processes.push_back({77, "python3", Bytes::from_mib(2048), true});
  std::unique_ptr<GpuQuery> q = std::make_unique<FakeQuery>(std::vector<DetectedGpu>{gpu(0, "GPU-aaaa1111"), busy});
  auto gpus = q->list();
  apply_visible_devices(gpus, std::string("1"));
  const DetectedGpu* chosen = select_gpu(gpus, 0);
  ASSERT_NE(chosen, nullptr);
  EXPECT_EQ(chosen->uuid, "GPU-bbbb2222");
  ASSERT_EQ(chosen->processes.size(), 1u);
  EXPECT_EQ(chosen->processes[0].used.count(), 2048LL << 20);
  EXPECT_TRUE(q->unavailable_reason().empty());
}

}  // namespace
}  // namespace foldfit

namespace foldfit {
namespace {

TEST(Nvml, ReadsEverythingThroughDlopen) {
  auto q = make_nvml_query(FOLDFIT_FAKE_NVML);
  std::vector<DetectedGpu> gpus = q->list();
  EXPECT_EQ(q->unavailable_reason(), "");
  ASSERT_EQ(gpus.size(), 2u);
  const DetectedGpu& h100 = gpus[0];
  EXPECT_EQ(h100.index, 0);
  EXPECT_EQ(h100.name, "NVIDIA H100 80GB HBM3");
  EXPECT_EQ(h100.uuid, "GPU-00000000-1111-2222-3333-444444444444");
  EXPECT_EQ(h100.total, Bytes::from_mib(81559));
  EXPECT_EQ(h100.used, Bytes::from_mib(2048));
  EXPECT_EQ(h100.free, Bytes::from_mib(81559 - 2048));
  EXPECT_EQ(h100.cc_major, 9);
  EXPECT_FALSE(h100.mig);
  EXPECT_EQ(h100.driver_version, "550.54.15");
  ASSERT_EQ(h100.processes.size(), 20u);  // more than the first buffer of 16
  EXPECT_EQ(h100.processes[0].pid, 1000u);
  EXPECT_EQ(h100.processes[0].used, Bytes::from_mib(1));
  EXPECT_TRUE(h100.processes[0].used_known);
  EXPECT_FALSE(h100.processes[19].used_known);
  const DetectedGpu& a100 = gpus[1];
  EXPECT_EQ(a100.name, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(a100.cc_major, 8);
  EXPECT_TRUE(a100.mig);
  EXPECT_TRUE(a100.processes.empty());
}

TEST(Nvml, LibraryWithoutNvmlIsTooOld) {
  // Any shared library lacking the NVML entry points: the C library itself.
  auto q = make_nvml_query("libc.so.6");
  EXPECT_TRUE(q->list().empty());
  EXPECT_EQ(q->unavailable_reason(),
            "libc.so.6 is too old: it lacks nvmlInit_v2 or another required entry point");
}

}  // namespace
}  // namespace foldfit
