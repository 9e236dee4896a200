// Message framing and the conversions between flatbuffers metadata and arrow/types.h.
#include <fmt/format.h>

#include <cstring>

#include "arrow/ipc_internal.h"

namespace harrier::arrow::detail {
namespace {

std::uint32_t load_u32(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

flatbuffers::Verifier::Options verifier_options() {
  flatbuffers::Verifier::Options o;
  o.max_depth = 16;  // Harrier reads flat schemas; nesting beyond this is not Arrow it decodes
  o.max_tables = 1u << 20;
  return o;
}

KeyValueMetadata kv_from_fb(const flatbuffers::Vector<flatbuffers::Offset<fbs::KeyValue>>* kvs) {
  KeyValueMetadata out;
  if (kvs == nullptr) return out;
  out.reserve(kvs->size());
  for (const fbs::KeyValue* kv : *kvs) {
    if (kv == nullptr) continue;
    out.emplace_back(kv->key() ? kv->key()->str() : std::string(),
                     kv->value() ? kv->value()->str() : std::string());
  }
  return out;
}

Result<TimeUnit> unit_from_fb(fbs::TimeUnit u) {
  switch (u) {
    case fbs::TimeUnit_SECOND:
      return TimeUnit::kSecond;
    case fbs::TimeUnit_MILLISECOND:
      return TimeUnit::kMilli;
    case fbs::TimeUnit_MICROSECOND:
      return TimeUnit::kMicro;
    case fbs::TimeUnit_NANOSECOND:
      return TimeUnit::kNano;
  }
  return invalid_input(
      fmt::format("time unit {} is not one of SECOND..NANOSECOND", static_cast<int>(u)));
}

fbs::TimeUnit unit_to_fb(TimeUnit u) {
  switch (u) {
    case TimeUnit::kSecond:
      return fbs::TimeUnit_SECOND;
    case TimeUnit::kMilli:
      return fbs::TimeUnit_MILLISECOND;
    case TimeUnit::kMicro:
      return fbs::TimeUnit_MICROSECOND;
    case TimeUnit::kNano:
      return fbs::TimeUnit_NANOSECOND;
  }
  return fbs::TimeUnit_NANOSECOND;
}

}  // namespace

Result<DataType> type_from_fb(const fbs::Field& f) {
  auto missing = [&] {
    return invalid_input(fmt::format("type {} has no type table", fb_type_name(f)));
  };
  switch (f.type_type()) {
    case fbs::Type_Null:
      return DataType::null();
    case fbs::Type_Bool:
      return DataType::boolean();
    case fbs::Type_Utf8:
      return DataType::utf8();
    case fbs::Type_Binary:
      return DataType::binary();
    case fbs::Type_Int: {
      const fbs::Int* t = f.type_as_Int();
      if (t == nullptr) return missing();
      int bw = t->bit_width();
      if (bw != 8 && bw != 16 && bw != 32 && bw != 64) {
        return invalid_input(fmt::format("int bit width {} is not 8, 16, 32 or 64", bw));
      }
      return DataType::integer(bw, t->is_signed());
    }
    case fbs::Type_FloatingPoint: {
      const fbs::FloatingPoint* t = f.type_as_FloatingPoint();
      if (t == nullptr) return missing();
      if (t->precision() == fbs::Precision_SINGLE) return DataType::float32();
      if (t->precision() == fbs::Precision_DOUBLE) return DataType::float64();
      if (t->precision() == fbs::Precision_HALF)
        return unsupported("type float16 is not supported");
      return invalid_input(fmt::format("float precision {}", static_cast<int>(t->precision())));
    }
    case fbs::Type_FixedSizeBinary: {
      const fbs::FixedSizeBinary* t = f.type_as_FixedSizeBinary();
      if (t == nullptr) return missing();
      if (t->byte_width() <= 0 || t->byte_width() > (1 << 20)) {
        return invalid_input(fmt::format("fixed_size_binary width {}", t->byte_width()));
      }
      DataType d;
      d.id = TypeId::kFixedSizeBinary;
      d.byte_width = t->byte_width();
      return d;
    }
    case fbs::Type_Date: {
      const fbs::Date* t = f.type_as_Date();
      if (t == nullptr) return missing();
      DataType d;
      d.id = TypeId::kDate;
      if (t->unit() == fbs::DateUnit_DAY) {
        d.bit_width = 32;
        d.unit = TimeUnit::kSecond;
      } else if (t->unit() == fbs::DateUnit_MILLISECOND) {
        d.bit_width = 64;
        d.unit = TimeUnit::kMilli;
      } else {
        return invalid_input(fmt::format("date unit {}", static_cast<int>(t->unit())));
      }
      return d;
    }
    case fbs::Type_Time: {
      const fbs::Time* t = f.type_as_Time();
      if (t == nullptr) return missing();
      HARRIER_ASSIGN_OR_RETURN(TimeUnit u, unit_from_fb(t->unit()));
      int want = (u == TimeUnit::kSecond || u == TimeUnit::kMilli) ? 32 : 64;
      if (t->bit_width() != want) {
        return invalid_input(fmt::format("time[{}] with bit width {} (must be {})",
                                         time_unit_name(u), t->bit_width(), want));
      }
      DataType d;
      d.id = TypeId::kTime;
      d.bit_width = want;
      d.unit = u;
      return d;
    }
    case fbs::Type_Timestamp: {
      const fbs::Timestamp* t = f.type_as_Timestamp();
      if (t == nullptr) return missing();
      HARRIER_ASSIGN_OR_RETURN(TimeUnit u, unit_from_fb(t->unit()));
      return DataType::timestamp(u, t->timezone() ? t->timezone()->str() : std::string());
    }
    case fbs::Type_Duration: {
      const fbs::Duration* t = f.type_as_Duration();
      if (t == nullptr) return missing();
      HARRIER_ASSIGN_OR_RETURN(TimeUnit u, unit_from_fb(t->unit()));
      DataType d;
      d.id = TypeId::kDuration;
      d.bit_width = 64;
      d.unit = u;
      return d;
    }
    default:
      return unsupported(fmt::format("type {} is not supported", fb_type_name(f)));
  }
}

namespace {

Result<Field> field_from_fb(const fbs::Field* f, std::size_t index) {
  if (f == nullptr) return invalid_input(fmt::format("field {} is missing", index));
  Field out;
  out.name = f->name() ? f->name()->str() : std::string();
  auto where = fmt::format("field {} '{}'", index, out.name);
  if (f->dictionary() != nullptr) {
    return unsupported(
        fmt::format("{}: type dictionary<{}> is not supported", where, fb_type_name(*f)));
  }
  auto type = type_from_fb(*f);
  if (!type) return std::move(type).error().with_context(where);
  out.type = std::move(type).value();
  if (f->children() != nullptr && f->children()->size() != 0) {
    return invalid_input(fmt::format("{}: type {} cannot have children ({} given)", where,
                                     out.type.to_string(), f->children()->size()));
  }
  out.nullable = f->nullable();
  out.metadata = kv_from_fb(f->custom_metadata());
  return out;
}

flatbuffers::Offset<flatbuffers::Vector<flatbuffers::Offset<fbs::KeyValue>>> build_kv(
    flatbuffers::FlatBufferBuilder& b, const KeyValueMetadata& md) {
  if (md.empty()) return 0;
  std::vector<flatbuffers::Offset<fbs::KeyValue>> kvs;
  kvs.reserve(md.size());
  for (const auto& [k, v] : md) {
    auto ko = b.CreateString(k);
    auto vo = b.CreateString(v);
    kvs.push_back(fbs::CreateKeyValue(b, ko, vo));
  }
  return b.CreateVector(kvs);
}

std::pair<fbs::Type, flatbuffers::Offset<void>> build_type(flatbuffers::FlatBufferBuilder& b,
                                                           const DataType& t) {
  switch (t.id) {
    case TypeId::kNull:
      return {fbs::Type_Null, fbs::CreateNull(b).Union()};
    case TypeId::kBool:
      return {fbs::Type_Bool, fbs::CreateBool(b).Union()};
    case TypeId::kInt:
      return {fbs::Type_Int, fbs::CreateInt(b, t.bit_width, t.is_signed).Union()};
    case TypeId::kFloat:
      return {fbs::Type_FloatingPoint,
              fbs::CreateFloatingPoint(
                  b, t.bit_width == 32 ? fbs::Precision_SINGLE : fbs::Precision_DOUBLE)
                  .Union()};
    case TypeId::kUtf8:
      return {fbs::Type_Utf8, fbs::CreateUtf8(b).Union()};
    case TypeId::kBinary:
      return {fbs::Type_Binary, fbs::CreateBinary(b).Union()};
    case TypeId::kFixedSizeBinary:
      return {fbs::Type_FixedSizeBinary, fbs::CreateFixedSizeBinary(b, t.byte_width).Union()};
    case TypeId::kDate:
      return {fbs::Type_Date,
              fbs::CreateDate(b, t.bit_width == 32 ? fbs::DateUnit_DAY : fbs::DateUnit_MILLISECOND)
                  .Union()};
    case TypeId::kTime:
      return {fbs::Type_Time, fbs::CreateTime(b, unit_to_fb(t.unit), t.bit_width).Union()};
    case TypeId::kTimestamp: {
      flatbuffers::Offset<flatbuffers::String> tz = 0;
      if (!t.timezone.empty()) tz = b.CreateString(t.timezone);
      return {fbs::Type_Timestamp, fbs::CreateTimestamp(b, unit_to_fb(t.unit), tz).Union()};
    }
    case TypeId::kDuration:
      return {fbs::Type_Duration, fbs::CreateDuration(b, unit_to_fb(t.unit)).Union()};
  }
  return {fbs::Type_Null, fbs::CreateNull(b).Union()};
}

}  // namespace

const std::uint8_t* aligned_copy(std::span<const std::uint8_t> data,
                                 std::vector<std::uint64_t>& scratch) {
  if (reinterpret_cast<std::uintptr_t>(data.data()) % 8 == 0) return data.data();
  scratch.assign((data.size() + 7) / 8, 0);
  std::memcpy(scratch.data(), data.data(), data.size());
  return reinterpret_cast<const std::uint8_t*>(scratch.data());
}

Result<RawMessage> MessageReader::next() {
  const std::size_t start = pos_;
  const std::size_t size = bytes_.size();
  if (start >= size) return RawMessage{nullptr, {}, start};
  auto truncated = [&](std::string_view what) {
    return invalid_input(
        fmt::format("offset {}: truncated {} ({} bytes left)", start, what, size - start));
  };
  if (size - start < 4) return truncated("message length");
  std::size_t p = start + 4;
  std::uint32_t word = load_u32(bytes_.data() + start);
  if (word == kContinuation) {
    if (size - p < 4) return truncated("message length");
    word = load_u32(bytes_.data() + p);
    p += 4;
  }
  const auto meta_len = static_cast<std::int32_t>(word);
  if (meta_len == 0) {  // end-of-stream marker
    pos_ = p;
    return RawMessage{nullptr, {}, start};
  }
  if (meta_len < 0) {
    return invalid_input(fmt::format("offset {}: negative metadata length {}", start, meta_len));
  }
  if (static_cast<std::size_t>(meta_len) > size - p) {
    return invalid_input(
        fmt::format("offset {}: metadata length {} runs past the end ({} bytes "
                    "left)",
                    start, meta_len, size - p));
  }
  const auto meta_size = static_cast<std::size_t>(meta_len);
  const std::uint8_t* meta = aligned_copy(bytes_.subspan(p, meta_size), scratch_);
  flatbuffers::Verifier verifier(meta, meta_size, verifier_options());
  if (!fbs::VerifyMessageBuffer(verifier)) {
    return invalid_input(
        fmt::format("offset {}: message metadata fails flatbuffers verification", start));
  }
  const fbs::Message* msg = fbs::GetMessage(meta);
  if (msg->version() < fbs::MetadataVersion_V4 || msg->version() > fbs::MetadataVersion_V5) {
    return unsupported(fmt::format("offset {}: metadata version V{} (Harrier reads V4 and V5)",
                                   start, static_cast<int>(msg->version()) + 1));
  }
  if (msg->header_type() == fbs::MessageHeader_NONE || msg->header() == nullptr) {
    return invalid_input(fmt::format("offset {}: message has no header", start));
  }
  p += meta_size;
  const std::int64_t body_len = msg->body_length();
  if (body_len < 0 || static_cast<std::uint64_t>(body_len) > size - p) {
    return invalid_input(fmt::format("offset {}: body length {} runs past the end ({} bytes left)",
                                     start, body_len, size - p));
  }
  RawMessage out{msg, bytes_.subspan(p, static_cast<std::size_t>(body_len)), start};
  pos_ = p + static_cast<std::size_t>(body_len);
  return out;
}

std::string fb_type_name(const fbs::Field& field) {
  switch (field.type_type()) {
    case fbs::Type_Null:
      return "null";
    case fbs::Type_Int:
      if (const fbs::Int* t = field.type_as_Int()) {
        return fmt::format("{}int{}", t->is_signed() ? "" : "u", t->bit_width());
      }
      return "int";
    case fbs::Type_FloatingPoint:
      if (const fbs::FloatingPoint* t = field.type_as_FloatingPoint()) {
        switch (t->precision()) {
          case fbs::Precision_HALF:
            return "float16";
          case fbs::Precision_SINGLE:
            return "float32";
          case fbs::Precision_DOUBLE:
            return "float64";
        }
      }
      return "float";
    case fbs::Type_Binary:
      return "binary";
    case fbs::Type_Utf8:
      return "utf8";
    case fbs::Type_Bool:
      return "bool";
    case fbs::Type_Decimal:
      if (const fbs::Decimal* t = field.type_as_Decimal()) {
        return fmt::format("decimal{}({}, {})", t->bit_width(), t->precision(), t->scale());
      }
      return "decimal";
    case fbs::Type_Date:
      return "date";
    case fbs::Type_Time:
      return "time";
    case fbs::Type_Timestamp:
      return "timestamp";
    case fbs::Type_Interval:
      if (const fbs::Interval* t = field.type_as_Interval()) {
        switch (t->unit()) {
          case fbs::IntervalUnit_YEAR_MONTH:
            return "interval[year_month]";
          case fbs::IntervalUnit_DAY_TIME:
            return "interval[day_time]";
          case fbs::IntervalUnit_MONTH_DAY_NANO:
            return "interval[month_day_nano]";
        }
      }
      return "interval";
    case fbs::Type_List:
      return "list";
    case fbs::Type_Struct_:
      return "struct";
    case fbs::Type_Union:
      if (const fbs::Union* t = field.type_as_Union()) {
        return t->mode() == fbs::UnionMode_Dense ? "dense_union" : "sparse_union";
      }
      return "union";
    case fbs::Type_FixedSizeBinary:
      return "fixed_size_binary";
    case fbs::Type_FixedSizeList:
      return "fixed_size_list";
    case fbs::Type_Map:
      return "map";
    case fbs::Type_Duration:
      return "duration";
    case fbs::Type_LargeBinary:
      return "large_binary";
    case fbs::Type_LargeUtf8:
      return "large_utf8";
    case fbs::Type_LargeList:
      return "large_list";
    case fbs::Type_RunEndEncoded:
      return "run_end_encoded";
    case fbs::Type_BinaryView:
      return "binary_view";
    case fbs::Type_Utf8View:
      return "utf8_view";
    case fbs::Type_ListView:
      return "list_view";
    case fbs::Type_LargeListView:
      return "large_list_view";
    case fbs::Type_NONE:
      return "none";
  }
  return fmt::format("type id {}", static_cast<int>(field.type_type()));
}

Result<Schema> schema_from_fb(const fbs::Schema* schema) {
  if (schema == nullptr) return invalid_input("schema message without a schema table");
  if (schema->endianness() != fbs::Endianness_Little) {
    return unsupported("big-endian data is not supported");
  }
  Schema out;
  out.metadata = kv_from_fb(schema->custom_metadata());
  if (const auto* fields = schema->fields()) {
    out.fields.reserve(fields->size());
    for (flatbuffers::uoffset_t i = 0; i < fields->size(); ++i) {
      HARRIER_ASSIGN_OR_RETURN(Field f, field_from_fb(fields->Get(i), i));
      out.fields.push_back(std::move(f));
    }
  }
  return out;
}

void build_schema_message(flatbuffers::FlatBufferBuilder& b, const Schema& schema) {
  b.Clear();
  std::vector<flatbuffers::Offset<fbs::Field>> fields;
  fields.reserve(schema.fields.size());
  for (const Field& f : schema.fields) {
    auto name = b.CreateString(f.name);
    auto [type_type, type] = build_type(b, f.type);
    auto md = build_kv(b, f.metadata);
    auto children = b.CreateVector(std::vector<flatbuffers::Offset<fbs::Field>>{});
    fbs::FieldBuilder fb(b);
    fb.add_name(name);
    fb.add_nullable(f.nullable);
    fb.add_type_type(type_type);
    fb.add_type(type);
    fb.add_children(children);
    if (!md.IsNull()) fb.add_custom_metadata(md);
    fields.push_back(fb.Finish());
  }
  auto fv = b.CreateVector(fields);
  auto md = build_kv(b, schema.metadata);
  fbs::SchemaBuilder sb(b);
  sb.add_endianness(fbs::Endianness_Little);
  sb.add_fields(fv);
  if (!md.IsNull()) sb.add_custom_metadata(md);
  auto so = sb.Finish();
  b.Finish(
      fbs::CreateMessage(b, fbs::MetadataVersion_V5, fbs::MessageHeader_Schema, so.Union(), 0));
}

void build_batch_message(flatbuffers::FlatBufferBuilder& b, std::int64_t length,
                         std::span<const fbs::FieldNode> nodes,
                         std::span<const fbs::Buffer> buffers, std::int64_t body_length) {
  b.Clear();
  auto nv = b.CreateVectorOfStructs(nodes.data(), nodes.size());
  auto bv = b.CreateVectorOfStructs(buffers.data(), buffers.size());
  auto rb = fbs::CreateRecordBatch(b, length, nv, bv);
  b.Finish(fbs::CreateMessage(b, fbs::MetadataVersion_V5, fbs::MessageHeader_RecordBatch,
                              rb.Union(), body_length));
}

std::uint8_t* write_framed(std::uint8_t* dst, std::span<const std::uint8_t> fb) {
  const std::size_t padded = pad8(fb.size());
  const std::uint32_t marker = kContinuation;
  const auto len = static_cast<std::int32_t>(padded);
  std::memcpy(dst, &marker, 4);
  std::memcpy(dst + 4, &len, 4);
  std::memcpy(dst + 8, fb.data(), fb.size());
  std::memset(dst + 8 + fb.size(), 0, padded - fb.size());
  return dst + 8 + padded;
}

}  // namespace harrier::arrow::detail
