#include "arrow/reader.h"

#include <fmt/format.h>

#include <cstring>

#include "arrow/ipc_internal.h"

namespace harrier::arrow {
namespace {

using detail::fbs::MessageHeader;

std::string_view header_name(MessageHeader h) {
  const char* name = detail::fbs::EnumNameMessageHeader(h);
  return name != nullptr && *name != '\0' ? name : "unknown";
}

Result<RecordBatch> batch_from_message(const Schema& schema, const detail::RawMessage& m,
                                       const ReadOptions& options) {
  switch (m.message->header_type()) {
    case detail::fbs::MessageHeader_RecordBatch:
      return detail::batch_from_fb(schema, m.message->header_as_RecordBatch(), m.body, options);
    case detail::fbs::MessageHeader_DictionaryBatch:
      return unsupported("dictionary batches are not supported");
    case detail::fbs::MessageHeader_Schema:
      return invalid_input("a second schema message");
    default:
      return unsupported(
          fmt::format("{} messages are not supported", header_name(m.message->header_type())));
  }
}

}  // namespace

bool has_file_magic(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= 6 && std::memcmp(bytes.data(), detail::kFileMagic, 6) == 0;
}

Result<Table> read_stream(std::span<const std::uint8_t> bytes, const ReadOptions& options) {
  detail::MessageReader reader(bytes);
  auto first = reader.next();
  if (!first) return std::move(first).error().with_context("arrow stream");
  if (first->message == nullptr) return invalid_input("arrow stream: no schema message");
  if (first->message->header_type() != detail::fbs::MessageHeader_Schema) {
    return invalid_input(fmt::format("arrow stream: first message is a {}, not a Schema",
                                     header_name(first->message->header_type())));
  }
  Table table;
  auto schema = detail::schema_from_fb(first->message->header_as_Schema());
  if (!schema) return std::move(schema).error().with_context("arrow stream: schema");
  table.schema = std::move(schema).value();
  while (true) {
    auto m = reader.next();
    if (!m) return std::move(m).error().with_context("arrow stream");
    if (m->message == nullptr) break;
    auto batch = batch_from_message(table.schema, *m, options);
    if (!batch) {
      return std::move(batch).error().with_context(
          fmt::format("arrow stream: batch {} at offset {}", table.batches.size(), m->offset));
    }
    table.batches.push_back(std::move(batch).value());
  }
  return table;
}

Result<Table> read_file(std::span<const std::uint8_t> bytes, const ReadOptions& options) {
  constexpr std::size_t kMinSize = 8 + 4 + 6;  // magic + padding, footer length, magic
  if (bytes.size() < kMinSize) {
    return invalid_input(
        fmt::format("arrow file: {} bytes is too short for the file format", bytes.size()));
  }
  if (!has_file_magic(bytes)) return invalid_input("arrow file: wrong leading magic");
  if (std::memcmp(bytes.data() + bytes.size() - 6, detail::kFileMagic, 6) != 0) {
    return invalid_input("arrow file: wrong trailing magic (truncated file?)");
  }
  std::int32_t footer_len;
  std::memcpy(&footer_len, bytes.data() + bytes.size() - 10, 4);
  if (footer_len <= 0 || static_cast<std::size_t>(footer_len) > bytes.size() - kMinSize) {
    return invalid_input(fmt::format("arrow file: footer length {} does not fit the {}-byte file",
                                     footer_len, bytes.size()));
  }
  const std::size_t footer_start = bytes.size() - 10 - static_cast<std::size_t>(footer_len);
  std::vector<std::uint64_t> scratch;
  const std::uint8_t* footer_bytes = detail::aligned_copy(
      bytes.subspan(footer_start, static_cast<std::size_t>(footer_len)), scratch);
  flatbuffers::Verifier::Options vopts;
  vopts.max_depth = 16;
  flatbuffers::Verifier verifier(footer_bytes, static_cast<std::size_t>(footer_len), vopts);
  if (!verifier.VerifyBuffer<detail::fbs::Footer>(nullptr)) {
    return invalid_input("arrow file: footer fails flatbuffers verification");
  }
  const auto* footer = flatbuffers::GetRoot<detail::fbs::Footer>(footer_bytes);
  Table table;
  auto schema = detail::schema_from_fb(footer->schema());
  if (!schema) return std::move(schema).error().with_context("arrow file: schema");
  table.schema = std::move(schema).value();
  if (footer->dictionaries() != nullptr && footer->dictionaries()->size() != 0) {
    return unsupported("arrow file: dictionary batches are not supported");
  }
  if (footer->record_batches() == nullptr) return table;
  const auto region = bytes.first(footer_start);
  const auto* blocks = footer->record_batches();
  for (std::size_t index = 0; index < blocks->size(); ++index) {
    // The verifier checks a struct vector's 4-byte alignment only; Block needs 8. Copy each
    // one out instead of reading it in place (a hostile footer can misalign it).
    detail::fbs::Block aligned_block;
    std::memcpy(&aligned_block, blocks->Data() + index * sizeof(detail::fbs::Block),
                sizeof(detail::fbs::Block));
    const detail::fbs::Block* block = &aligned_block;
    auto where = [&] {
      return fmt::format("arrow file: batch {} at offset {}", index, block->offset());
    };
    const std::int64_t off = block->offset();
    if (off < 8 || static_cast<std::uint64_t>(off) >= region.size() ||
        block->meta_data_length() <= 0 || block->body_length() < 0 ||
        static_cast<std::uint64_t>(block->meta_data_length()) +
                static_cast<std::uint64_t>(block->body_length()) >
            region.size() - static_cast<std::uint64_t>(off)) {
      return invalid_input(fmt::format("{}: block (metadata {}, body {}) lies outside the data",
                                       where(), block->meta_data_length(), block->body_length()));
    }
    detail::MessageReader reader(region, static_cast<std::size_t>(off));
    auto m = reader.next();
    if (!m) return std::move(m).error().with_context(where());
    if (m->message == nullptr)
      return invalid_input(fmt::format("{}: end-of-stream marker", where()));
    auto batch = batch_from_message(table.schema, *m, options);
    if (!batch) return std::move(batch).error().with_context(where());
    table.batches.push_back(std::move(batch).value());
  }
  return table;
}

Result<Table> read_ipc(std::span<const std::uint8_t> bytes, const ReadOptions& options) {
  return has_file_magic(bytes) ? read_file(bytes, options) : read_stream(bytes, options);
}

}  // namespace harrier::arrow
