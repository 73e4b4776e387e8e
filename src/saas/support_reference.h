// Support references: the short code every registration gets (failed ones too) so that a buyer
// can quote it and support finds the attempt, e.g. "ML-7KQ2-M9XD". Eight characters from an
// alphabet without look-alikes (no 0/O, 1/I/L, U), about 39 bits; unique in the database (a
// collision is retried with a new one). Pure functions, safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace saas {

// 30 characters: digits 2-9 and capital letters but I, L, O, U.
inline constexpr std::string_view kReferenceAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

// "ML-XXXX-XXXX" drawn from `random` (any bytes, e.g. a random id; 16 or more give an even
// spread).
std::string make_support_reference(std::string_view random);
// A reference as people type it — any case, spaces, with or without the dashes and the "ML"
// prefix ("ml 7kq2 m9xd", "7KQ2M9XD") — in its canonical form; nullopt when it cannot be one.
std::optional<std::string> normalize_support_reference(std::string_view text);

}  // namespace saas
