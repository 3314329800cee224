// Atomic outputs: a failed write leaves neither a partial file nor a temporary one, and
// an existing file is replaced only with force.
#include "foldfit/common/atomic_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

#include "foldfit/common/error.hpp"
#include "temp_dir.hpp"

namespace foldfit {
namespace {

using testing::TempDir;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A writer that accepts `budget` bytes and then fails as a full disk does.
WriteFn disk_full_after(std::size_t budget) {
  return [budget](int fd, const char* data, std::size_t n) mutable -> ssize_t {
    if (budget == 0) {
      errno = ENOSPC;
      return -1;
    }
    std::size_t k = std::min(n, budget);
    budget -= k;
    return ::write(fd, data, k);
  };
}

TEST(AtomicFile, WritesTheWholeFile) {
  TempDir dir;
  std::string path = dir.file("report.json");
  write_file_atomically(path, "{\"tokens\": 596}\n", false);
  EXPECT_EQ(slurp(path), "{\"tokens\": 596}\n");
  EXPECT_EQ(dir.entries(), 1u);  // no temporary file left beside it
}

TEST(AtomicFile, DiskFullLeavesNoPartialFile) {
  TempDir dir;
  std::string path = dir.file("report.txt");
  std::string big(1 << 20, 'x');
  try {
    write_file_atomically(path, big, false, disk_full_after(4096));
    FAIL() << "no error";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot write: No space left on device");
    EXPECT_EQ(e.path(), path);
  }
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(AtomicFile, DiskFullKeepsTheOldFile) {
  TempDir dir;
  std::string path = dir.write("report.txt", "old report\n");
  EXPECT_THROW(write_file_atomically(path, std::string(100000, 'y'), true, disk_full_after(10)), OutputError);
  EXPECT_EQ(slurp(path), "old report\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, RefusesToOverwriteWithoutForce) {
  TempDir dir;
  std::string path = dir.write("report.txt", "old\n");
  try {
    write_file_atomically(path, "new\n", false);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": already exists; give --force to overwrite it");
  }
  EXPECT_EQ(slurp(path), "old\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, RefusesWhenTheFileAppearsWhileWriting) {
  TempDir dir;
  std::string path = dir.file("report.txt");
  AtomicFile f(path, false);
  f.write("new\n");
  dir.write("report.txt", "someone else's\n");
  EXPECT_THROW(f.commit(), UsageError);
  EXPECT_EQ(slurp(path), "someone else's\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, ForceOverwrites) {
  TempDir dir;
  std::string path = dir.write("report.txt", "old\n");
  write_file_atomically(path, "new\n", true);
  EXPECT_EQ(slurp(path), "new\n");
  EXPECT_EQ(dir.entries(), 1u);
}

TEST(AtomicFile, NeverReplacesAFolderOrADevice) {
  TempDir dir;
  ::mkdir(dir.file("out").c_str(), 0755);
  EXPECT_THROW(write_file_atomically(dir.file("out"), "x", true), UsageError);
  try {
    write_file_atomically("/dev/full", "x", true);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), "/dev/full: exists and is not a regular file; refusing to replace it");
  }
  EXPECT_THROW(write_file_atomically(dir.path() + "/", "x", true), UsageError);
}

TEST(AtomicFile, MissingFolder) {
  TempDir dir;
  std::string path = dir.file("no/such/folder/report.txt");
  try {
    write_file_atomically(path, "x", false);
    FAIL() << "no error";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot write: the folder " + dir.file("no/such/folder") +
                                         " does not exist");
  }
}

TEST(AtomicFile, FolderIsAFile) {
  TempDir dir;
  dir.write("plain", "x");
  std::string path = dir.file("plain/report.txt");
  try {
    write_file_atomically(path, "x", false);
    FAIL() << "no error";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot write: " + dir.file("plain") + " is not a folder");
  }
}

TEST(AtomicFile, UnwritableFolder) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes into any folder";
  TempDir dir;
  std::string folder = dir.file("locked");
  ::mkdir(folder.c_str(), 0555);
  std::string path = folder + "/report.txt";
  try {
    write_file_atomically(path, "x", false);
    FAIL() << "no error";
  } catch (const OutputError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot write in " + folder + ": Permission denied");
  }
}

TEST(AtomicFile, AbandonedWriterCleansUp) {
  TempDir dir;
  std::string temp;
  {
    AtomicFile f(dir.file("report.txt"), false);
    f.write("half");
    temp = f.temp_path();
    EXPECT_EQ(::access(temp.c_str(), F_OK), 0);
    EXPECT_EQ(temp.rfind(dir.file(".report.txt.tmp-"), 0), 0u);
  }  // an exception between write and commit unwinds through here
  EXPECT_NE(::access(temp.c_str(), F_OK), 0);
  EXPECT_EQ(dir.entries(), 0u);
}

TEST(AtomicFile, NewFilesFollowTheUmask) {
  TempDir dir;
  mode_t old = ::umask(022);
  write_file_atomically(dir.file("a"), "x", false);
  ::umask(old);
  struct stat st {};
  ASSERT_EQ(::stat(dir.file("a").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

}  // namespace
}  // namespace foldfit
