// The generic machinery behind Codec<Op>. Internal to src/aws: only the service .cpp files
// include it, describe their structs with Shape<T> and instantiate Codec<Op> for their
// operations.
//
// A struct is described once, as a tuple of fields (wire name, member pointer, flags), and the
// same description drives JSON, query (form) and XML in both directions:
//   template <> struct Shape<Tag> {
//     static constexpr auto kFields = std::make_tuple(field("Key", &Tag::key, kRequired),
//                                                    field("Value", &Tag::value, kRequired));
//   };
// Member types: std::string, bool, int, long long, double, core::TimePoint, std::optional<T>,
// std::vector<T>, std::map<std::string, T> and described structs. A field is written when it is
// required, or (optional) has a value, or (string, list, map) is not empty; plain numbers,
// booleans, times and structs are always written.
#pragma once

#include "core/text.h"

#include <charconv>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "aws/codec.h"
#include "aws/xml.h"
#include "core/clock.h"
#include "core/result.h"

namespace aws::detail {

using nlohmann::json;

enum FieldFlag : unsigned {
  kRequired = 1u << 0,   // the model requires it: always written, checked on request decode
  kFlattened = 1u << 1,  // query/XML list or map without a wrapping element
  kBlob = 1u << 2,       // bytes, base64 on the wire
};

template <class S, class M>
struct FieldDef {
  std::string_view name;  // the serialized name (locationName where the model has one)
  M S::*member;
  unsigned flags = 0;
  // Lists: the member element (query/XML), "member" when empty and not flattened; for flattened
  // lists it replaces the field's name. Maps: key and value element names.
  std::string_view item = {};
  std::string_view key = "key";
  std::string_view value = "value";
};

template <class S, class M>
constexpr FieldDef<S, M> field(std::string_view name, M S::*member, unsigned flags = 0,
                               std::string_view item = {}, std::string_view key = "key",
                               std::string_view value = "value") {
  return FieldDef<S, M>{name, member, flags, item, key, value};
}

template <class T>
struct Shape;

template <>
struct Shape<Empty> {
  static constexpr auto kFields = std::tuple<>();
};

// ---- type traits -----------------------------------------------------------------------------

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};
template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class T>
struct IsMap<std::map<std::string, T>> : std::true_type {};

template <class T>
concept Structure = requires {
  Shape<T>::kFields;
};
template <class T>
concept Integer = std::is_integral_v<T> && !std::is_same_v<T, bool>;

template <class>
inline constexpr bool kAlwaysFalse = false;

// Names that travel with a value down to its list items or map entries.
struct Names {
  unsigned flags = 0;
  std::string_view item;
  std::string_view key = "key";
  std::string_view value = "value";
};

template <class S, class M>
Names names_of(const FieldDef<S, M>& f) {
  return Names{f.flags, f.item, f.key, f.value};
}

// ---- scalar text (non-template helpers, codec.cpp) ------------------------------------------

using core::base64_decode;
using core::base64_encode;
// ISO 8601 as AWS writes it: "2015-08-30T12:36:00Z", with ".123" when there are milliseconds.
std::string format_iso8601(core::TimePoint t);
// ISO 8601 (any fraction, Z or offset) or epoch seconds.
std::optional<core::TimePoint> parse_timestamp_text(std::string_view text);
json epoch_seconds(core::TimePoint t);
core::TimePoint from_epoch_seconds(double seconds);
std::string format_double(double v);

// Collects the first error and the path to it.
struct DecodeContext {
  bool check_required = false;
  std::string path;
  std::string error;

  bool fail(std::string_view what) {
    if (error.empty()) error = (path.empty() ? std::string() : path + ": ") + std::string(what);
    return false;
  }
};

// Appends ".name" or "[i]" to the context path for the lifetime of the guard.
class PathGuard {
 public:
  PathGuard(DecodeContext& ctx, std::string_view name) : ctx_(ctx), size_(ctx.path.size()) {
    if (!ctx_.path.empty()) ctx_.path.push_back('.');
    ctx_.path.append(name);
  }
  PathGuard(DecodeContext& ctx, size_t index) : ctx_(ctx), size_(ctx.path.size()) {
    ctx_.path += "[" + std::to_string(index) + "]";
  }
  ~PathGuard() { ctx_.path.resize(size_); }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;

 private:
  DecodeContext& ctx_;
  size_t size_;
};

template <class T>
bool is_present(const T& v, unsigned flags) {
  if constexpr (IsOptional<T>::value) {
    return v.has_value();
  } else if constexpr (std::is_same_v<T, std::string> || IsVector<T>::value || IsMap<T>::value) {
    return (flags & kRequired) || !v.empty();
  } else {
    return true;
  }
}

template <class T>
std::string scalar_text(const T& v, unsigned flags) {
  if constexpr (std::is_same_v<T, std::string>) {
    return (flags & kBlob) ? base64_encode(v) : v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (Integer<T>) {
    return std::to_string(v);
  } else if constexpr (std::is_floating_point_v<T>) {
    return format_double(v);
  } else if constexpr (std::is_same_v<T, core::TimePoint>) {
    return format_iso8601(v);
  } else {
    static_assert(kAlwaysFalse<T>, "not a scalar");
  }
}

template <class T>
bool parse_scalar_text(std::string_view text, T& out, unsigned flags, DecodeContext& ctx) {
  auto trimmed = [](std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
  };
  if constexpr (std::is_same_v<T, std::string>) {
    if (flags & kBlob) {
      auto bytes = base64_decode(trimmed(text));
      if (!bytes) return ctx.fail("expected base64");
      out = std::move(*bytes);
    } else {
      out = std::string(text);
    }
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    const auto t = trimmed(text);
    if (t == "true")
      out = true;
    else if (t == "false")
      out = false;
    else
      return ctx.fail("expected true or false");
    return true;
  } else if constexpr (Integer<T>) {
    const auto t = trimmed(text);
    auto r = std::from_chars(t.data(), t.data() + t.size(), out);
    if (t.empty() || r.ec != std::errc() || r.ptr != t.data() + t.size()) {
      return ctx.fail("expected an integer");
    }
    return true;
  } else if constexpr (std::is_floating_point_v<T>) {
    const std::string t(trimmed(text));
    char* end = nullptr;
    out = std::strtod(t.c_str(), &end);
    if (t.empty() || end != t.c_str() + t.size()) return ctx.fail("expected a number");
    return true;
  } else if constexpr (std::is_same_v<T, core::TimePoint>) {
    auto t = parse_timestamp_text(trimmed(text));
    if (!t) return ctx.fail("expected a timestamp");
    out = *t;
    return true;
  } else {
    static_assert(kAlwaysFalse<T>, "not a scalar");
  }
}

// ---- JSON ----------------------------------------------------------------------------------

template <Structure S>
json to_json(const S& s);

template <class T>
json json_value(const T& v, unsigned flags) {
  if constexpr (IsOptional<T>::value) {
    return json_value(*v, flags);
  } else if constexpr (IsVector<T>::value) {
    json arr = json::array();
    for (const auto& item : v) arr.push_back(json_value(item, flags & kBlob));
    return arr;
  } else if constexpr (IsMap<T>::value) {
    json obj = json::object();
    for (const auto& [k, item] : v) obj[k] = json_value(item, flags & kBlob);
    return obj;
  } else if constexpr (Structure<T>) {
    return to_json(v);
  } else if constexpr (std::is_same_v<T, std::string>) {
    return (flags & kBlob) ? json(base64_encode(v)) : json(v);
  } else if constexpr (std::is_same_v<T, core::TimePoint>) {
    return epoch_seconds(v);
  } else {
    return json(v);
  }
}

template <Structure S>
json to_json(const S& s) {
  json obj = json::object();
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              const auto& v = s.*(f.member);
              if (is_present(v, f.flags)) obj[std::string(f.name)] = json_value(v, f.flags);
            }(),
            ...);
      },
      Shape<S>::kFields);
  return obj;
}

template <Structure S>
bool from_json(const json& j, S& s, DecodeContext& ctx);

template <class T>
bool from_json_value(const json& j, T& out, unsigned flags, DecodeContext& ctx) {
  if constexpr (IsOptional<T>::value) {
    out.emplace();
    return from_json_value(j, *out, flags, ctx);
  } else if constexpr (IsVector<T>::value) {
    if (!j.is_array()) return ctx.fail("expected a list");
    out.clear();
    for (size_t i = 0; i < j.size(); ++i) {
      PathGuard g(ctx, i);
      out.emplace_back();
      if (!from_json_value(j[i], out.back(), flags & kBlob, ctx)) return false;
    }
    return true;
  } else if constexpr (IsMap<T>::value) {
    if (!j.is_object()) return ctx.fail("expected an object");
    out.clear();
    for (const auto& [k, item] : j.items()) {
      PathGuard g(ctx, k);
      if (!from_json_value(item, out[k], flags & kBlob, ctx)) return false;
    }
    return true;
  } else if constexpr (Structure<T>) {
    if (!j.is_object()) return ctx.fail("expected an object");
    return from_json(j, out, ctx);
  } else if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) return ctx.fail("expected a string");
    return parse_scalar_text(j.get_ref<const std::string&>(), out, flags, ctx);
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_boolean()) return ctx.fail("expected true or false");
    out = j.get<bool>();
    return true;
  } else if constexpr (Integer<T>) {
    if (j.is_number_integer()) {
      const auto v = j.get<long long>();
      if (v < static_cast<long long>(std::numeric_limits<T>::min()) ||
          (v > 0 && static_cast<unsigned long long>(v) >
                        static_cast<unsigned long long>(std::numeric_limits<T>::max()))) {
        return ctx.fail("integer out of range");
      }
      out = static_cast<T>(v);
      return true;
    }
    return ctx.fail("expected an integer");
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) return ctx.fail("expected a number");
    out = j.get<double>();
    return true;
  } else if constexpr (std::is_same_v<T, core::TimePoint>) {
    if (j.is_number()) {
      out = from_epoch_seconds(j.get<double>());
      return true;
    }
    if (j.is_string()) return parse_scalar_text(j.get_ref<const std::string&>(), out, 0, ctx);
    return ctx.fail("expected a timestamp");
  } else {
    static_assert(kAlwaysFalse<T>, "unsupported member type");
  }
}

template <Structure S>
bool from_json(const json& j, S& s, DecodeContext& ctx) {
  bool ok = true;
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              if (!ok) return;
              PathGuard g(ctx, f.name);
              auto it = j.find(std::string(f.name));
              if (it == j.end() || it->is_null()) {
                if (ctx.check_required && (f.flags & kRequired)) {
                  ok = ctx.fail("missing required field");
                }
                return;
              }
              ok = from_json_value(*it, s.*(f.member), f.flags, ctx);
            }(),
            ...);
      },
      Shape<S>::kFields);
  return ok;
}

// ---- query (form) --------------------------------------------------------------------------

using FormParams = std::vector<QueryParam>;
// Decoded form parameters by name, for lookups by prefix.
using ParamMap = std::map<std::string, std::string, std::less<>>;

std::string join_key(std::string_view prefix, std::string_view name);
// For a flattened list whose members have their own name, botocore replaces the last part of
// the key ("AttributeNames" → "AttributeName").
std::string list_base(const std::string& key, const Names& names);
bool has_key_or_prefix(const ParamMap& params, const std::string& key);

template <Structure S>
void to_query(const S& s, const std::string& prefix, FormParams& out);

template <class T>
void query_value(const T& v, const std::string& key, const Names& names, FormParams& out) {
  if constexpr (IsOptional<T>::value) {
    query_value(*v, key, names, out);
  } else if constexpr (IsVector<T>::value) {
    if (v.empty()) {
      out.emplace_back(key, "");  // botocore sends an empty list as "Name="
      return;
    }
    const std::string base = list_base(key, names);
    for (size_t i = 0; i < v.size(); ++i) {
      query_value(v[i], base + "." + std::to_string(i + 1), Names{names.flags & kBlob}, out);
    }
  } else if constexpr (IsMap<T>::value) {
    const std::string base = (names.flags & kFlattened) ? key : key + ".entry";
    size_t i = 0;
    for (const auto& [k, item] : v) {
      const std::string entry = base + "." + std::to_string(++i);
      out.emplace_back(entry + "." + std::string(names.key), k);
      query_value(item, entry + "." + std::string(names.value), Names{names.flags & kBlob}, out);
    }
  } else if constexpr (Structure<T>) {
    to_query(v, key, out);
  } else {
    out.emplace_back(key, scalar_text(v, names.flags));
  }
}

template <Structure S>
void to_query(const S& s, const std::string& prefix, FormParams& out) {
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              const auto& v = s.*(f.member);
              if (is_present(v, f.flags)) {
                query_value(v, join_key(prefix, f.name), names_of(f), out);
              }
            }(),
            ...);
      },
      Shape<S>::kFields);
}

template <Structure S>
bool from_query(const ParamMap& params, const std::string& prefix, S& s, DecodeContext& ctx);

template <class T>
bool query_present(const ParamMap& params, const std::string& key, const Names& names) {
  if constexpr (IsOptional<T>::value) {
    return query_present<typename T::value_type>(params, key, names);
  } else if constexpr (IsVector<T>::value) {
    return params.count(key) > 0 || has_key_or_prefix(params, list_base(key, names));
  } else {
    return has_key_or_prefix(params, key);
  }
}

template <class T>
bool from_query_value(const ParamMap& params, const std::string& key, const Names& names, T& out,
                      DecodeContext& ctx) {
  if constexpr (IsOptional<T>::value) {
    out.emplace();
    return from_query_value(params, key, names, *out, ctx);
  } else if constexpr (IsVector<T>::value) {
    out.clear();
    const std::string base = list_base(key, names);
    for (size_t i = 1;; ++i) {
      const std::string item_key = base + "." + std::to_string(i);
      if (!has_key_or_prefix(params, item_key)) break;
      PathGuard g(ctx, i - 1);
      out.emplace_back();
      if (!from_query_value(params, item_key, Names{names.flags & kBlob}, out.back(), ctx)) {
        return false;
      }
    }
    return true;
  } else if constexpr (IsMap<T>::value) {
    out.clear();
    const std::string base = (names.flags & kFlattened) ? key : key + ".entry";
    for (size_t i = 1;; ++i) {
      const std::string entry = base + "." + std::to_string(i);
      if (!has_key_or_prefix(params, entry)) break;
      auto k = params.find(entry + "." + std::string(names.key));
      if (k == params.end()) return ctx.fail("map entry without a key");
      PathGuard g(ctx, k->second);
      if (!from_query_value(params, entry + "." + std::string(names.value),
                            Names{names.flags & kBlob}, out[k->second], ctx)) {
        return false;
      }
    }
    return true;
  } else if constexpr (Structure<T>) {
    return from_query(params, key, out, ctx);
  } else {
    auto it = params.find(key);
    if (it == params.end()) return ctx.fail("expected a value");
    return parse_scalar_text(it->second, out, names.flags, ctx);
  }
}

template <Structure S>
bool from_query(const ParamMap& params, const std::string& prefix, S& s, DecodeContext& ctx) {
  bool ok = true;
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              if (!ok) return;
              using M = std::remove_cvref_t<decltype(s.*(f.member))>;
              const std::string key = join_key(prefix, f.name);
              const Names names = names_of(f);
              PathGuard g(ctx, f.name);
              if (!query_present<M>(params, key, names)) {
                if (ctx.check_required && (f.flags & kRequired)) {
                  ok = ctx.fail("missing required field");
                }
                return;
              }
              ok = from_query_value(params, key, names, s.*(f.member), ctx);
            }(),
            ...);
      },
      Shape<S>::kFields);
  return ok;
}

// ---- XML -----------------------------------------------------------------------------------

template <Structure S>
void to_xml(xml::Writer& w, const S& s);

template <class T>
void xml_value(xml::Writer& w, std::string_view name, const Names& names, const T& v) {
  if constexpr (IsOptional<T>::value) {
    xml_value(w, name, names, *v);
  } else if constexpr (IsVector<T>::value) {
    if (names.flags & kFlattened) {
      const std::string_view element = names.item.empty() ? name : names.item;
      for (const auto& item : v) xml_value(w, element, Names{names.flags & kBlob}, item);
    } else {
      w.open(name);
      const std::string_view element = names.item.empty() ? "member" : names.item;
      for (const auto& item : v) xml_value(w, element, Names{names.flags & kBlob}, item);
      w.close();
    }
  } else if constexpr (IsMap<T>::value) {
    const bool flat = names.flags & kFlattened;
    if (!flat) w.open(name);
    for (const auto& [k, item] : v) {
      w.open(flat ? name : "entry");
      w.element(names.key, k);
      xml_value(w, names.value, Names{names.flags & kBlob}, item);
      w.close();
    }
    if (!flat) w.close();
  } else if constexpr (Structure<T>) {
    w.open(name);
    to_xml(w, v);
    w.close();
  } else {
    w.element(name, scalar_text(v, names.flags));
  }
}

template <Structure S>
void to_xml(xml::Writer& w, const S& s) {
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              const auto& v = s.*(f.member);
              if (is_present(v, f.flags)) xml_value(w, f.name, names_of(f), v);
            }(),
            ...);
      },
      Shape<S>::kFields);
}

template <Structure S>
bool from_xml(const xml::Element& e, S& s, DecodeContext& ctx);

// Decodes one element's content into `out` (scalars from its text, structs from its children).
template <class T>
bool from_xml_element(const xml::Element& e, const Names& names, T& out, DecodeContext& ctx) {
  if constexpr (IsOptional<T>::value) {
    out.emplace();
    return from_xml_element(e, names, *out, ctx);
  } else if constexpr (IsVector<T>::value) {
    // A wrapped list: every child is an item, whatever its name (as botocore reads them).
    out.clear();
    for (size_t i = 0; i < e.children.size(); ++i) {
      PathGuard g(ctx, i);
      out.emplace_back();
      if (!from_xml_element(e.children[i], Names{names.flags & kBlob}, out.back(), ctx)) {
        return false;
      }
    }
    return true;
  } else if constexpr (IsMap<T>::value) {
    out.clear();
    for (const auto& entry : e.children) {
      const std::string k = entry.child_text(names.key);
      const xml::Element* value = entry.child(names.value);
      PathGuard g(ctx, k);
      if (value && !from_xml_element(*value, Names{names.flags & kBlob}, out[k], ctx)) {
        return false;
      }
    }
    return true;
  } else if constexpr (Structure<T>) {
    return from_xml(e, out, ctx);
  } else {
    return parse_scalar_text(e.text, out, names.flags, ctx);
  }
}

// A flattened list or map: the items are siblings inside `parent`.
template <class T>
bool from_xml_flattened(const xml::Element& parent, std::string_view name, const Names& names,
                        T& out, bool& found, DecodeContext& ctx) {
  const std::string_view element = IsVector<T>::value && !names.item.empty() ? names.item : name;
  const auto items = parent.children_named(element);
  found = !items.empty();
  out.clear();
  for (size_t i = 0; i < items.size(); ++i) {
    if constexpr (IsVector<T>::value) {
      PathGuard g(ctx, i);
      out.emplace_back();
      if (!from_xml_element(*items[i], Names{names.flags & kBlob}, out.back(), ctx)) return false;
    } else {
      const std::string k = items[i]->child_text(names.key);
      const xml::Element* value = items[i]->child(names.value);
      PathGuard g(ctx, k);
      if (value && !from_xml_element(*value, Names{names.flags & kBlob}, out[k], ctx)) {
        return false;
      }
    }
  }
  return true;
}

template <class T>
bool from_xml_field(const xml::Element& parent, std::string_view name, const Names& names, T& out,
                    bool& found, DecodeContext& ctx) {
  if (names.flags & kFlattened) {
    if constexpr (IsVector<T>::value || IsMap<T>::value) {
      return from_xml_flattened(parent, name, names, out, found, ctx);
    } else if constexpr (IsOptional<T>::value) {
      using V = typename T::value_type;
      if constexpr (IsVector<V>::value || IsMap<V>::value) {
        V items;
        if (!from_xml_flattened(parent, name, names, items, found, ctx)) return false;
        if (found) out = std::move(items);
        return true;
      }
    }
  }
  const xml::Element* child = parent.child(name);
  found = child != nullptr;
  if (!found) return true;
  return from_xml_element(*child, names, out, ctx);
}

template <Structure S>
bool from_xml(const xml::Element& e, S& s, DecodeContext& ctx) {
  bool ok = true;
  std::apply(
      [&](const auto&... f) {
        (
            [&] {
              if (!ok) return;
              PathGuard g(ctx, f.name);
              bool found = false;
              ok = from_xml_field(e, f.name, names_of(f), s.*(f.member), found, ctx);
              if (ok && !found && ctx.check_required && (f.flags & kRequired)) {
                ok = ctx.fail("missing required field");
              }
            }(),
            ...);
      },
      Shape<S>::kFields);
  return ok;
}

// ---- protocol envelopes --------------------------------------------------------------------

core::Result<json> parse_json_body(std::string_view body);
// Compact JSON text; invalid UTF-8 in strings becomes U+FFFD instead of throwing.
std::string json_text(const json& j);
ParamMap form_params(const HttpRequest& request);
core::Error decode_error(std::string_view op, const DecodeContext& ctx);
HttpResponse json_response(std::string body, std::string_view content_type,
                           std::string_view request_id);

}  // namespace aws::detail

namespace aws {

template <Operation Op>
HttpRequest Codec<Op>::encode_request(const Request& request) {
  using namespace detail;
  constexpr Protocol kProtocol = protocol_of(Op::kService);
  const ServiceInfo& info = service_info(Op::kService);
  HttpRequest r;
  r.method = "POST";
  r.path = "/";
  if constexpr (kProtocol == Protocol::kJson) {
    r.headers = {{"Content-Type", json_content_type(Op::kService)},
                 {"X-Amz-Target", std::string(info.target_prefix) + "." + std::string(Op::kName)}};
    r.body = json_text(to_json(request));
  } else if constexpr (kProtocol == Protocol::kQuery) {
    FormParams params = {{"Action", std::string(Op::kName)},
                         {"Version", std::string(info.api_version)}};
    to_query(request, "", params);
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = format_query_string(params);
  } else if constexpr (kProtocol == Protocol::kRestJson) {
    r.path = std::string(Op::kHttpPath);
    r.headers = {{"Content-Type", "application/json"}};
    r.body = json_text(to_json(request));
  } else {
    r = encode_rest_request(request);  // per operation, found by argument-dependent lookup
  }
  return r;
}

template <Operation Op>
core::Result<typename Op::Request> Codec<Op>::decode_request(const HttpRequest& request) {
  using namespace detail;
  constexpr Protocol kProtocol = protocol_of(Op::kService);
  Request out{};
  DecodeContext ctx{.check_required = true};
  if constexpr (kProtocol == Protocol::kJson || kProtocol == Protocol::kRestJson) {
    auto body = parse_json_body(request.body);
    if (!body) return std::move(body).error();
    if (!from_json(*body, out, ctx)) return decode_error(Op::kName, ctx);
  } else if constexpr (kProtocol == Protocol::kQuery) {
    if (!from_query(form_params(request), "", out, ctx)) return decode_error(Op::kName, ctx);
  } else {
    auto status = decode_rest_request(request, out);
    if (!status) return std::move(status).error();
  }
  return out;
}

template <Operation Op>
HttpResponse Codec<Op>::encode_response(const Response& response, std::string_view request_id) {
  using namespace detail;
  constexpr Protocol kProtocol = protocol_of(Op::kService);
  if constexpr (kProtocol == Protocol::kJson) {
    return json_response(json_text(to_json(response)), json_content_type(Op::kService), request_id);
  } else if constexpr (kProtocol == Protocol::kRestJson) {
    return json_response(std::is_same_v<Response, Empty> ? "" : json_text(to_json(response)),
                         "application/json", request_id);
  } else if constexpr (kProtocol == Protocol::kQuery) {
    xml::Writer w;
    w.open(std::string(Op::kName) + "Response", service_info(Op::kService).xml_namespace);
    if constexpr (!std::is_same_v<Response, Empty>) {
      w.open(std::string(Op::kName) + "Result");
      to_xml(w, response);
      w.close();
    }
    w.open("ResponseMetadata").element("RequestId", request_id).close();
    w.close();
    HttpResponse r;
    r.headers = {{"Content-Type", "text/xml"}, {"x-amzn-RequestId", std::string(request_id)}};
    r.body = w.str();
    return r;
  } else {
    return encode_rest_response(response, request_id);
  }
}

template <Operation Op>
core::Result<typename Op::Response> Codec<Op>::decode_response(const HttpResponse& response) {
  using namespace detail;
  constexpr Protocol kProtocol = protocol_of(Op::kService);
  Response out{};
  DecodeContext ctx;
  if constexpr (kProtocol == Protocol::kJson || kProtocol == Protocol::kRestJson) {
    auto body = parse_json_body(response.body);
    if (!body) return std::move(body).error();
    if (!from_json(*body, out, ctx)) return decode_error(Op::kName, ctx);
  } else if constexpr (kProtocol == Protocol::kQuery) {
    if constexpr (!std::is_same_v<Response, Empty>) {
      auto root = xml::parse(response.body);
      if (!root) return std::move(root).error();
      if (const xml::Element* result = root->child(std::string(Op::kName) + "Result")) {
        if (!from_xml(*result, out, ctx)) return decode_error(Op::kName, ctx);
      }
    }
  } else {
    auto status = decode_rest_response(response, out);
    if (!status) return std::move(status).error();
  }
  return out;
}

}  // namespace aws
