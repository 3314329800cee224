// *Path fields: resolved against the JSON file's folder; MSA files read plain, gzip, xz or
// zstd, as AlphaFold 3 does, and counted without being kept.
#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

#include "foldfit/input/input.hpp"
#include "foldfit/input/text_file.hpp"

namespace foldfit {
namespace {

namespace fs = std::filesystem;

class PathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("foldfit_paths_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "msas");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void write(const fs::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
  }
  std::string a3m(int rows) {
    std::string s;
    for (int i = 0; i < rows; ++i) s += ">seq" + std::to_string(i) + " desc>x\nMKV-LAa\n";
    return s;
  }
  fs::path dir_;
};

std::string gzip(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string xz(const std::string& in) {
  std::string out(lzma_stream_buffer_bound(in.size()), '\0');
  std::size_t pos = 0;
  lzma_easy_buffer_encode(6, LZMA_CHECK_CRC64, nullptr, reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                          reinterpret_cast<uint8_t*>(out.data()), &pos, out.size());
  out.resize(pos);
  return out;
}

std::string zstd(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3));
  return out;
}

TEST_F(PathsTest, CompressedMsaFilesAreCountedRelativeToTheJson) {
  std::string text = a3m(1000);
  write(dir_ / "msas/plain.a3m", text);
  write(dir_ / "msas/g.a3m.gz", gzip(text));
  write(dir_ / "msas/x.a3m.xz", xz(text));
  write(dir_ / "msas/z.a3m.zst", zstd(text));
  for (const char* name : {"plain.a3m", "g.a3m.gz", "x.a3m.xz", "z.a3m.zst"}) {
    A3mCount c = count_a3m_file((dir_ / "msas" / name).string());
    EXPECT_EQ(c.rows, 1000u) << name;
    EXPECT_EQ(c.bytes, text.size()) << name;
  }
  write(dir_ / "job.json", R"({"dialect": "alphafold3", "version": 2, "name": "p", "modelSeeds": [1],
    "sequences": [{"protein": {"id": "A", "sequence": "MKV", "unpairedMsaPath": "msas/g.a3m.gz",
                               "pairedMsaPath": "msas/z.a3m.zst", "templates": []}},
                  {"rna": {"id": "B", "sequence": "AUG", "unpairedMsaPath": "msas/x.a3m.xz"}}]})");
  std::vector<Input> in = read_input_file((dir_ / "job.json").string(), ReadOptions{});
  const Entity& p = in[0].entities[0];
  EXPECT_EQ(p.unpaired_msa.rows, 1000u);
  EXPECT_EQ(p.paired_msa.rows, 1000u);
  EXPECT_EQ(p.unpaired_msa.path, (dir_ / "msas/g.a3m.gz").string());
  EXPECT_EQ(in[0].entities[1].unpaired_msa.rows, 1000u);
  ASSERT_TRUE(p.templates.has_value());
  EXPECT_TRUE(p.templates->empty());
}

TEST_F(PathsTest, CorruptCompressedFileIsAnError) {
  std::string bad = gzip(a3m(100));
  bad.resize(bad.size() / 2);
  write(dir_ / "cut.a3m.gz", bad);
  try {
    count_a3m_file((dir_ / "cut.a3m.gz").string());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.message(), "gzip data is truncated");
  }
}

TEST_F(PathsTest, DirectoryWhereAFileIsExpected) {
  try {
    count_a3m_file((dir_ / "msas").string());
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.message(), "is a directory, expected a file");
  }
}

TEST_F(PathsTest, InlineMsaThatNamesAFileIsRejected) {
  // AlphaFold 3 asks for the *Path field when inline text shorter than 256 names a file.
  write(dir_ / "hits.a3m", a3m(2));
  std::string file = (dir_ / "hits.a3m").string();
  std::string json = R"({"dialect": "alphafold3", "version": 2, "name": "p", "modelSeeds": [1],
    "sequences": [{"protein": {"id": "A", "sequence": "MKV", "unpairedMsa": ")" + file + R"("}}]})";
  try {
    read_input_text(json, "job.json", ReadOptions{});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.message(), "'" + file + "' names a file; set the MSA path using the \"unpairedMsaPath\" field");
    EXPECT_EQ(e.location().path, "sequences[0].protein.unpairedMsa");
  }
}

TEST_F(PathsTest, InputDirListsJsonFilesSorted) {
  write(dir_ / "b.json", "{}");
  write(dir_ / "a.json", "{}");
  write(dir_ / "notes.txt", "");
  fs::create_directories(dir_ / "c.json");  // a folder named like a file is skipped
  std::vector<std::string> files = list_input_dir(dir_.string());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(fs::path(files[0]).filename(), "a.json");
  EXPECT_EQ(fs::path(files[1]).filename(), "b.json");
}

}  // namespace
}  // namespace foldfit
