// Hostile files around an input: huge, missing, unreadable, folders, FIFOs, symlink loops,
// crowded input folders. Each fails with a located error or is read in bounded memory.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "foldfit/input/input.hpp"
#include "foldfit/input/text_file.hpp"
#include "temp_dir.hpp"

namespace foldfit {
namespace {

using testing::TempDir;

std::string with_msa_path(const std::string& path) {
  return R"({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1], "sequences": [
  {"protein": {"id": "A", "sequence": "MVLS", "unpairedMsaPath": ")" + path + R"(", "pairedMsa": "", "templates": []}}]})";
}

std::string error_of(const std::string& file) {
  try {
    read_input_file(file, ReadOptions{});
  } catch (const InputError& e) {
    return e.what();
  }
  return "ok";
}

long max_rss_kb() {
  rusage u {};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST(HostileFiles, TwoGigabyteMsaStreamsInBoundedMemory) {
  TempDir dir;
  // A sparse file: 2 GiB long, no disk blocks written. Its first line is an A3M header.
  std::string msa = dir.file("huge.a3m");
  int fd = ::open(msa.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::write(fd, ">query\nMVLS\n", 12), 12);
  ASSERT_EQ(::ftruncate(fd, off_t{1} << 31), 0);
  ::close(fd);
  std::string json = dir.write("in.json", with_msa_path("huge.a3m"));
  long before = max_rss_kb();
  std::vector<Input> in = read_input_file(json, ReadOptions{});
  long grown_mb = (max_rss_kb() - before) / 1024;
  EXPECT_EQ(in.front().entities[0].unpaired_msa.rows, 1u);
  EXPECT_EQ(in.front().entities[0].unpaired_msa.bytes, std::uint64_t{1} << 31);
  // Streaming holds one 1 MiB chunk; reading the file whole would add 2048 MiB.
  EXPECT_LT(grown_mb, 256) << "MSA text was buffered";
}

TEST(HostileFiles, MissingPathFile) {
  TempDir dir;
  std::string json = dir.write("in.json", with_msa_path("missing.a3m"));
  EXPECT_EQ(error_of(json), json + ":2:66: sequences[0].protein.unpairedMsaPath: " + dir.file("missing.a3m") +
                                ": cannot open: No such file or directory");
}

TEST(HostileFiles, UnreadablePathFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads any file";
  TempDir dir;
  std::string msa = dir.write("secret.a3m", ">q\nMVLS\n");
  ::chmod(msa.c_str(), 0);
  std::string json = dir.write("in.json", with_msa_path("secret.a3m"));
  EXPECT_EQ(error_of(json), json + ":2:66: sequences[0].protein.unpairedMsaPath: " + msa +
                                ": cannot open: Permission denied");
}

TEST(HostileFiles, FolderWhereAFileIsExpected) {
  TempDir dir;
  ::mkdir(dir.file("msas").c_str(), 0755);
  std::string json = dir.write("in.json", with_msa_path("msas"));
  EXPECT_EQ(error_of(json), json + ":2:66: sequences[0].protein.unpairedMsaPath: " + dir.file("msas") +
                                ": is a directory, expected a file");
  EXPECT_EQ(error_of(dir.path()), dir.path() + ": is a directory, expected a file");
}

TEST(HostileFiles, DeviceWhereAFileIsExpected) {
  EXPECT_EQ(error_of("/dev/zero"), "/dev/zero: is not a regular file");
  EXPECT_EQ(error_of("/dev/null"), "/dev/null: is not a regular file");
}

TEST(HostileFiles, FifoAsInput) {
  TempDir dir;
  std::string fifo = dir.file("in.json");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string text = R"({"dialect": "alphafold3", "version": 4, "name": "t", "modelSeeds": [1],
    "sequences": [{"protein": {"id": "A", "sequence": "MVLS"}}]})";
  // The writer delivers the text in small pieces, as a pipe from another program does.
  std::thread writer([&] {
    int fd = ::open(fifo.c_str(), O_WRONLY);
    for (std::size_t i = 0; i < text.size(); i += 7) {
      if (::write(fd, text.data() + i, std::min<std::size_t>(7, text.size() - i)) < 0) break;
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ::close(fd);
  });
  std::vector<Input> in = read_input_file(fifo, ReadOptions{});
  writer.join();
  EXPECT_EQ(in.front().entities.size(), 1u);
}

TEST(HostileFiles, SymlinkLoopsInInputDir) {
  TempDir dir;
  ::symlink("b.json", dir.file("a.json").c_str());
  ::symlink("a.json", dir.file("b.json").c_str());
  ::symlink(".", dir.file("self.json").c_str());
  ::symlink("nowhere", dir.file("dangling.json").c_str());
  ::mkdir(dir.file("sub").c_str(), 0755);
  ::symlink("..", dir.file("sub/up.json").c_str());
  dir.write("ok.json", "{}");
  // As AlphaFold 3: only regular files directly inside, following links; loops are skipped.
  EXPECT_EQ(list_input_dir(dir.path()), std::vector<std::string>{dir.file("ok.json")});
}

TEST(HostileFiles, ThousandsOfFilesInInputDir) {
  TempDir dir;
  for (int i = 0; i < 3000; ++i) dir.write("job" + std::to_string(10000 + i) + ".json", "{}");
  for (int i = 0; i < 1000; ++i) dir.write("notes" + std::to_string(i) + ".txt", "");
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> files = list_input_dir(dir.path());
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(files.size(), 3000u);
  EXPECT_EQ(files.front(), dir.file("job10000.json"));
  EXPECT_EQ(files.back(), dir.file("job12999.json"));
  EXPECT_LT(s, 30.0) << "hang guard";
}

TEST(HostileFiles, CorruptCompressedMsa) {
  TempDir dir;
  // gzip magic followed by garbage, and a gzip stream cut short.
  dir.write("bad.a3m.gz", std::string("\x1f\x8b\x08\x00garbage-garbage-garbage", 27));
  std::string json = dir.write("in.json", with_msa_path("bad.a3m.gz"));
  std::string error = error_of(json);
  EXPECT_EQ(error.rfind(json + ":2:66: sequences[0].protein.unpairedMsaPath: " + dir.file("bad.a3m.gz") +
                            ": corrupt gzip data: ", 0), 0u) << error;
  dir.write("cut.a3m.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
  json = dir.write("in.json", with_msa_path("cut.a3m.gz"));
  EXPECT_EQ(error_of(json), json + ":2:66: sequences[0].protein.unpairedMsaPath: " + dir.file("cut.a3m.gz") +
                                ": gzip data is truncated");
  dir.write("cut.a3m.zst", std::string("\x28\xb5\x2f\xfd\x00", 5));
  json = dir.write("in.json", with_msa_path("cut.a3m.zst"));
  EXPECT_EQ(error_of(json).rfind(json + ":2:66: sequences[0].protein.unpairedMsaPath: " + dir.file("cut.a3m.zst") +
                                     ": ", 0), 0u);
}

}  // namespace
}  // namespace foldfit
