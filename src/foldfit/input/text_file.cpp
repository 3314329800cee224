#include "foldfit/input/text_file.hpp"

#include <fcntl.h>
#include <lzma.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace {

[[noreturn]] void file_error(const std::string& path, const std::string& what) {
  throw InputError(SourceLocation{path, 0, 0, ""}, what);
}

enum class Codec { none, gzip, xz, zstd };

}  // namespace

struct TextFile::Impl {
  int fd = -1;
  Codec codec = Codec::none;
  std::vector<unsigned char> in;  // compressed input buffer
  std::size_t in_pos = 0, in_end = 0;
  bool in_eof = false;
  bool done = false;
  z_stream gz{};
  lzma_stream xz = LZMA_STREAM_INIT;
  ZSTD_DStream* zs = nullptr;
  // Bytes read before detection, served first for plain files.
  std::size_t pre_pos = 0;

  ~Impl() {
    if (codec == Codec::gzip) inflateEnd(&gz);
    if (codec == Codec::xz) lzma_end(&xz);
    if (zs) ZSTD_freeDStream(zs);
    if (fd >= 0) ::close(fd);
  }

  std::size_t raw_read(const std::string& path, unsigned char* buf, std::size_t n) {
    for (;;) {
      ssize_t r = ::read(fd, buf, n);
      if (r >= 0) return static_cast<std::size_t>(r);
      if (errno == EINTR) continue;
      file_error(path, std::string("cannot read: ") + std::strerror(errno));
    }
  }

  bool refill(const std::string& path) {
    if (in_pos < in_end) return true;
    if (in_eof) return false;
    in_pos = 0;
    in_end = raw_read(path, in.data(), in.size());
    if (in_end == 0) in_eof = true;
    return in_end > 0;
  }
};

TextFile::TextFile(const std::string& path) : path_(path), impl_(std::make_unique<Impl>()) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) file_error(path, std::string("cannot open: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) file_error(path, "is a directory, expected a file");
  if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) file_error(path, "is not a regular file");
  impl_->fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (impl_->fd < 0) file_error(path, std::string("cannot open: ") + std::strerror(errno));
  impl_->in.resize(std::size_t{1} << 18);
  // Read the magic bytes (a FIFO may deliver them in pieces).
  while (impl_->in_end < 6 && !impl_->in_eof) {
    std::size_t r = impl_->raw_read(path, impl_->in.data() + impl_->in_end, impl_->in.size() - impl_->in_end);
    if (r == 0) impl_->in_eof = true;
    impl_->in_end += r;
  }
  const unsigned char* m = impl_->in.data();
  std::size_t have = impl_->in_end;
  if (have >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
    impl_->codec = Codec::gzip;
    if (inflateInit2(&impl_->gz, 15 + 32) != Z_OK) file_error(path, "cannot start gzip decompression");
  } else if (have >= 6 && std::memcmp(m, "\xfd\x37\x7a\x58\x5a\x00", 6) == 0) {
    impl_->codec = Codec::xz;
    if (lzma_stream_decoder(&impl_->xz, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
      file_error(path, "cannot start xz decompression");
  } else if (have >= 4 && std::memcmp(m, "\x28\xb5\x2f\xfd", 4) == 0) {
    impl_->codec = Codec::zstd;
    impl_->zs = ZSTD_createDStream();
    ZSTD_initDStream(impl_->zs);
  }
}

TextFile::~TextFile() = default;

const char* TextFile::compression() const {
  switch (impl_->codec) {
    case Codec::none: return "none";
    case Codec::gzip: return "gzip";
    case Codec::xz: return "xz";
    case Codec::zstd: return "zstd";
  }
  return "none";
}

std::size_t TextFile::read(char* buf, std::size_t n) {
  Impl& s = *impl_;
  if (n == 0 || s.done) return 0;
  auto* out = reinterpret_cast<unsigned char*>(buf);
  if (s.codec == Codec::none) {
    if (s.in_pos < s.in_end) {
      std::size_t k = std::min(n, s.in_end - s.in_pos);
      std::memcpy(out, s.in.data() + s.in_pos, k);
      s.in_pos += k;
      return k;
    }
    if (s.in_eof) return 0;
    std::size_t r = s.raw_read(path_, out, n);
    if (r == 0) s.in_eof = true;
    return r;
  }
  std::size_t produced = 0;
  while (produced == 0) {
    bool have_input = s.refill(path_);
    if (s.codec == Codec::gzip) {
      if (!have_input) file_error(path_, "gzip data is truncated");
      s.gz.next_in = s.in.data() + s.in_pos;
      s.gz.avail_in = static_cast<uInt>(s.in_end - s.in_pos);
      s.gz.next_out = out;
      s.gz.avail_out = static_cast<uInt>(n);
      int rc = inflate(&s.gz, Z_NO_FLUSH);
      s.in_pos = s.in_end - s.gz.avail_in;
      produced = n - s.gz.avail_out;
      if (rc == Z_STREAM_END) {
        // Concatenated gzip members continue; otherwise the file ends here.
        if (s.refill(path_)) inflateReset(&s.gz);
        else s.done = true;
        if (produced == 0 && s.done) return 0;
      } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        file_error(path_, std::string("corrupt gzip data: ") + (s.gz.msg ? s.gz.msg : "inflate failed"));
      }
    } else if (s.codec == Codec::xz) {
      s.xz.next_in = s.in.data() + s.in_pos;
      s.xz.avail_in = s.in_end - s.in_pos;
      s.xz.next_out = out;
      s.xz.avail_out = n;
      lzma_ret rc = lzma_code(&s.xz, have_input ? LZMA_RUN : LZMA_FINISH);
      s.in_pos = s.in_end - s.xz.avail_in;
      produced = n - s.xz.avail_out;
      if (rc == LZMA_STREAM_END) {
        s.done = true;
        return produced;
      }
      if (rc != LZMA_OK) file_error(path_, "corrupt or truncated xz data");
    } else {
      if (!have_input) file_error(path_, "zstd data is truncated");
      ZSTD_inBuffer ib{s.in.data() + s.in_pos, s.in_end - s.in_pos, 0};
      ZSTD_outBuffer ob{out, n, 0};
      std::size_t rc = ZSTD_decompressStream(s.zs, &ob, &ib);
      if (ZSTD_isError(rc)) file_error(path_, std::string("corrupt zstd data: ") + ZSTD_getErrorName(rc));
      s.in_pos += ib.pos;
      produced = ob.pos;
      if (rc == 0 && !s.refill(path_)) {
        s.done = true;
        return produced;
      }
    }
  }
  return produced;
}

std::uint64_t count_a3m_rows(std::string_view text) {
  std::uint64_t rows = 0;
  bool line_start = true;
  for (char c : text) {
    if (line_start && c == '>') ++rows;
    line_start = c == '\n';
  }
  return rows;
}

A3mCount count_a3m_file(const std::string& path) {
  TextFile f(path);
  A3mCount count;
  std::vector<char> buf(std::size_t{1} << 20);
  bool line_start = true;
  for (;;) {
    std::size_t n = f.read(buf.data(), buf.size());
    if (n == 0) break;
    count.bytes += n;
    const char* p = buf.data();
    const char* e = p + n;
    if (line_start && *p == '>') ++count.rows;
    while (true) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(e - p));
      if (!nl) break;
      p = static_cast<const char*>(nl) + 1;
      if (p < e && *p == '>') ++count.rows;
    }
    line_start = buf[n - 1] == '\n';
  }
  return count;
}

std::string read_text_file(const std::string& path, std::uint64_t max_bytes) {
  TextFile f(path);
  std::string text;
  std::vector<char> buf(std::size_t{1} << 16);
  for (;;) {
    std::size_t n = f.read(buf.data(), buf.size());
    if (n == 0) break;
    if (text.size() + n > max_bytes)
      file_error(path, "larger than " + std::to_string(max_bytes) + " bytes, the most foldfit reads for this field");
    text.append(buf.data(), n);
  }
  return text;
}

}  // namespace foldfit
