#include "foldfit/run/af3_log.hpp"

#include <gtest/gtest.h>

namespace foldfit {
namespace {

TEST(ByteFigure, UnitsAndExactCounts) {
  EXPECT_EQ(parse_byte_figure("1677721600 bytes"), Bytes(1677721600));
  EXPECT_EQ(parse_byte_figure("12.5GiB"), Bytes(13421772800));
  EXPECT_EQ(parse_byte_figure("1.5 GB"), Bytes(1500000000));
  EXPECT_EQ(parse_byte_figure("512MiB"), Bytes(536870912));
  EXPECT_EQ(parse_byte_figure("46.56GiB (49998125656 bytes), down"), Bytes(49998125656));
  EXPECT_EQ(parse_byte_figure("77"), Bytes(77));
  EXPECT_FALSE(parse_byte_figure("GiB"));
  EXPECT_FALSE(parse_byte_figure(""));
}

TEST(Af3Log, StagesFromRunAlphafoldPrints) {
  Af3LogScanner s;
  EXPECT_EQ(s.progress().stage, Af3Stage::starting);
  s.feed("Running fold job 2PV7...");
  s.feed("Output will be written in /out/2pv7_20250101_120000 since /out/2pv7 is non-empty.");
  EXPECT_EQ(s.progress().output_dir, "/out/2pv7_20250101_120000");
  EXPECT_TRUE(s.feed("Running data pipeline..."));
  EXPECT_EQ(s.progress().describe(), "data pipeline");
  s.feed("Predicting 3D structure for 2PV7 with 3 seed(s)...");
  EXPECT_EQ(s.progress().seeds, 3);
  s.feed("Featurising data with 3 seed(s)...");
  EXPECT_EQ(s.progress().describe(), "featurising");
  s.feed("Running model inference with seed 1...");
  EXPECT_EQ(s.progress().describe(), "compiling + inference seed 1/3");
  EXPECT_FALSE(s.feed("Running model inference with seed 1 took 61.20 seconds."));
  s.feed("Running model inference with seed 2...");
  EXPECT_EQ(s.progress().describe(), "inference seed 2/3");
  s.feed("Writing outputs with 3 seed(s)...");
  EXPECT_EQ(s.progress().describe(), "writing output");
  s.feed("Fold job 2PV7 done, output written to /out/2pv7");
  EXPECT_EQ(s.progress().stage, Af3Stage::done);
  EXPECT_FALSE(s.out_of_memory().seen);
}

TEST(Af3Log, OutOfMemoryWithAllocatorDump) {
  Af3LogScanner s;
  s.feed("W0000 bfc_allocator.cc:501] Allocator (GPU_0_bfc) ran out of memory trying to allocate 11.48GiB (rounded to "
         "12329500416)requested by op ");
  s.feed("I0000 bfc_allocator.cc:1049] Sum Total of in-use chunks: 60.00GiB");
  s.feed("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 12329500416 bytes.");
  const OutOfMemory& o = s.out_of_memory();
  ASSERT_TRUE(o.seen);
  EXPECT_EQ(o.requested, Bytes(12329500416));
  EXPECT_EQ(o.in_use, Bytes(64424509440));
  EXPECT_EQ(s.peak_lower_bound(), Bytes(12329500416 + 64424509440));
  EXPECT_NE(o.first_line.find("ran out of memory"), std::string::npos);
  EXPECT_EQ(s.last_error(),
            "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 12329500416 bytes.");
}

TEST(Af3Log, StatsBlockAndCudaError) {
  Af3LogScanner s;
  s.feed("E0000 cuda_driver.cc:1] failed to alloc 2147483648 bytes on host: CUDA_ERROR_OUT_OF_MEMORY: out of memory");
  EXPECT_TRUE(s.out_of_memory().seen);
  EXPECT_FALSE(s.peak_lower_bound());
  s.feed("Limit:                     76397395968");
  s.feed("InUse:                     70000000000");
  EXPECT_EQ(s.out_of_memory().limit, Bytes(76397395968));
  EXPECT_EQ(s.out_of_memory().in_use, Bytes(70000000000));
}

TEST(Af3Log, AllocatorStatsBeforeAnyFailureAreIgnored) {
  Af3LogScanner s;
  s.feed("InUse:                     70000000000");
  EXPECT_FALSE(s.out_of_memory().in_use);
}

TEST(Af3Log, RematerializationFigures) {
  Af3LogScanner s;
  s.feed("W0000 hlo_rematerialization.cc:3005] Can't reduce memory use below 36.55GiB (39246561280 bytes) by "
         "rematerialization; only reduced to 46.56GiB (49998125656 bytes), down from 50.00GiB (53687091200 bytes) originally");
  ASSERT_TRUE(s.rematerialization());
  EXPECT_EQ(s.rematerialization()->target, Bytes(39246561280));
  EXPECT_EQ(s.rematerialization()->reached, Bytes(49998125656));
  EXPECT_EQ(s.rematerialization()->original, Bytes(53687091200));
  EXPECT_EQ(s.peak_lower_bound(), Bytes(49998125656));
  EXPECT_FALSE(s.out_of_memory().seen);
}

}  // namespace
}  // namespace foldfit
