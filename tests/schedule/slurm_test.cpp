// What sbatch --parsable and sacct print, read; run_tool's capture of a command's output.
#include "foldfit/schedule/slurm.hpp"

#include <gtest/gtest.h>

#include "foldfit/common/error.hpp"

namespace foldfit {
namespace {

TEST(SbatchJobId, ReadsTheIdAndDropsTheCluster) {
  EXPECT_EQ(parse_sbatch_job_id("4242\n"), "4242");
  EXPECT_EQ(parse_sbatch_job_id("4243;cluster1\n"), "4243");
  // A warning line before the id.
  EXPECT_EQ(parse_sbatch_job_id("sbatch: warning: something\n77\n"), "77");
  EXPECT_EQ(parse_sbatch_job_id(""), std::nullopt);
  EXPECT_EQ(parse_sbatch_job_id("Submitted batch job 12\n"), std::nullopt);
}

TEST(Sacct, ArrayTasksStepsAndPendingRanges) {
  const std::string text =
      "100_0|COMPLETED|0:0|00:01:02\n"
      "100_0.batch|COMPLETED|0:0|00:01:02\n"
      "100_1|OUT_OF_MEMORY|0:125|00:00:30\n"
      "100_1.batch|OUT_OF_MEMORY|0:125|00:00:30\n"
      "100_2|FAILED|1:0|00:00:10\n"
      "100_2.extern|OUT_OF_MEMORY|0:125|00:00:10\n"
      "101_[0-2,4%2]|PENDING|0:0|00:00:00\n"
      "102_3|CANCELLED by 0|0:15|00:00:05\n"
      "103|COMPLETED|0:0|00:00:01\n";
  auto t = parse_sacct(text);
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t.at({"100", 0}).state, "COMPLETED");
  EXPECT_EQ(t.at({"100", 0}).elapsed, "00:01:02");
  EXPECT_FALSE(t.at({"100", 0}).step_out_of_memory);
  EXPECT_EQ(t.at({"100", 1}).state, "OUT_OF_MEMORY");
  EXPECT_EQ(t.at({"100", 2}).state, "FAILED");
  EXPECT_TRUE(t.at({"100", 2}).step_out_of_memory);
  for (int i : {0, 1, 2, 4}) EXPECT_EQ(t.at({"101", i}).state, "PENDING") << i;
  EXPECT_EQ(t.count({"101", 3}), 0u);
  EXPECT_EQ(t.at({"102", 3}).state, "CANCELLED");
  EXPECT_EQ(t.at({"102", 3}).exit_code, "0:15");
}

TEST(Sacct, RejectsWhatIsNotItsFormat) {
  EXPECT_THROW(parse_sacct("100_0 COMPLETED 0:0\n"), UsageError);
  EXPECT_THROW(parse_sacct("100_x|COMPLETED|0:0|00:00:01\n"), UsageError);
  EXPECT_TRUE(parse_sacct("\n").empty());
}

TEST(RunTool, CapturesOutErrAndStatus) {
  ToolResult r = run_tool({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.status, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
  ToolResult missing = run_tool({"foldfit-no-such-command-here"});
  EXPECT_EQ(missing.status, 127);
  EXPECT_NE(missing.err.find("cannot run foldfit-no-such-command-here"), std::string::npos);
}

}  // namespace
}  // namespace foldfit
