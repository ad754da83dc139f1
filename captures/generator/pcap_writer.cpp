#include "pcap_writer.h"

#include <stdexcept>

namespace kagen {

namespace {

void write_bytes(std::ostream& out, const Bytes& b) {
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

std::ofstream open_file(const std::string& path) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) throw std::runtime_error("cannot create " + path);
  return f;
}

void check_time(TimeNs t) {
  if (t < 0) throw std::invalid_argument("capture timestamps must not precede 1970");
}

// pcapng option: code, length, value padded to 4 bytes.
void put_option(Bytes& b, std::uint16_t code, const Bytes& value) {
  put_le16(b, code);
  put_le16(b, static_cast<std::uint16_t>(value.size()));
  append(b, value);
  while (b.size() % 4 != 0) b.push_back(0);
}

}  // namespace

PcapWriter::PcapWriter(const std::string& path, LinkType link, TsResolution res, std::uint32_t snaplen)
    : file_(open_file(path)), out_(&file_), res_(res), snaplen_(snaplen) {
  header(link);
}

PcapWriter::PcapWriter(std::ostream& out, LinkType link, TsResolution res, std::uint32_t snaplen)
    : out_(&out), res_(res), snaplen_(snaplen) {
  header(link);
}

void PcapWriter::header(LinkType link) {
  Bytes h;
  put_le32(h, res_ == TsResolution::Nano ? 0xa1b23c4d : 0xa1b2c3d4);
  put_le16(h, 2);
  put_le16(h, 4);
  put_le32(h, 0);  // thiszone: timestamps are UTC
  put_le32(h, 0);  // sigfigs
  put_le32(h, snaplen_);
  put_le32(h, static_cast<std::uint32_t>(link));
  write_bytes(*out_, h);
}

void PcapWriter::write(TimeNs t, const Bytes& frame) {
  check_time(t);
  if (frame.size() > snaplen_) throw std::invalid_argument("frame longer than snaplen");
  const std::int64_t secs = t / kNanosPerSecond;
  const std::int64_t frac = t % kNanosPerSecond;
  if (secs > 0xffffffffLL) throw std::invalid_argument("timestamp beyond 2106");
  Bytes r;
  put_le32(r, static_cast<std::uint32_t>(secs));
  put_le32(r, static_cast<std::uint32_t>(res_ == TsResolution::Nano ? frac : frac / 1000));
  put_le32(r, static_cast<std::uint32_t>(frame.size()));
  put_le32(r, static_cast<std::uint32_t>(frame.size()));
  write_bytes(*out_, r);
  write_bytes(*out_, frame);
}

void PcapWriter::finish() {
  out_->flush();
  if (!*out_) throw std::runtime_error("error writing pcap file");
}

PcapngWriter::PcapngWriter(const std::string& path, const std::string& application)
    : file_(open_file(path)), out_(&file_) {
  section_header(application);
}

PcapngWriter::PcapngWriter(std::ostream& out, const std::string& application) : out_(&out) {
  section_header(application);
}

void PcapngWriter::section_header(const std::string& application) {
  Bytes body;
  put_le32(body, 0x1A2B3C4D);  // byte-order magic
  put_le16(body, 1);
  put_le16(body, 0);
  put_le64(body, 0xFFFFFFFFFFFFFFFFull);  // section length unknown
  if (!application.empty()) put_option(body, 4, to_bytes(application));  // shb_userappl
  put_option(body, 0, {});
  block(0x0A0D0D0A, body);
}

void PcapngWriter::block(std::uint32_t type, const Bytes& body) {
  Bytes b;
  const std::uint32_t len = static_cast<std::uint32_t>(12 + body.size());
  put_le32(b, type);
  put_le32(b, len);
  append(b, body);
  put_le32(b, len);
  write_bytes(*out_, b);
}

std::uint32_t PcapngWriter::add_interface(LinkType link, const std::string& name, const std::string& description,
                                          std::uint32_t snaplen) {
  if (packets_written_) throw std::logic_error("pcapng: add every interface before the first packet");
  Bytes body;
  put_le16(body, static_cast<std::uint16_t>(link));
  put_le16(body, 0);
  put_le32(body, snaplen);
  if (!name.empty()) put_option(body, 2, to_bytes(name));                // if_name
  if (!description.empty()) put_option(body, 3, to_bytes(description));  // if_description
  put_option(body, 9, Bytes{9});                                          // if_tsresol: 10^-9 s
  put_option(body, 0, {});
  block(1, body);
  snaplens_.push_back(snaplen);
  return interfaces_++;
}

void PcapngWriter::write(std::uint32_t iface, TimeNs t, const Bytes& frame, const std::string& comment) {
  if (iface >= interfaces_) throw std::invalid_argument("pcapng: unknown interface id");
  check_time(t);
  if (frame.size() > snaplens_[iface]) throw std::invalid_argument("frame longer than snaplen");
  packets_written_ = true;
  const auto ts = static_cast<std::uint64_t>(t);
  Bytes body;
  put_le32(body, iface);
  put_le32(body, static_cast<std::uint32_t>(ts >> 32));
  put_le32(body, static_cast<std::uint32_t>(ts));
  put_le32(body, static_cast<std::uint32_t>(frame.size()));
  put_le32(body, static_cast<std::uint32_t>(frame.size()));
  append(body, frame);
  while (body.size() % 4 != 0) body.push_back(0);
  if (!comment.empty()) {
    put_option(body, 1, to_bytes(comment));  // opt_comment
    put_option(body, 0, {});
  }
  block(6, body);
}

void PcapngWriter::finish() {
  out_->flush();
  if (!*out_) throw std::runtime_error("error writing pcapng file");
}

}  // namespace kagen
