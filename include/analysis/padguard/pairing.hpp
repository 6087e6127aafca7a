// Which definition of a struct name in one build is which in the other.
// One input can define a name several ways: static structs of one name in
// two .c files (vmlinux has `struct console` in include/linux/console.h and
// in drivers/char/virtio_console.c), a header compiled under two
// configurations (fs/binfmt_elf.c and fs/compat_binfmt_elf.c), an `ld -r`
// object, a facts file. Picking the first would compare the wrong pair and
// pass, so a name with more than one layout is paired by where it is
// defined, and what cannot be paired is reported, never guessed.
//
// A definition is named by a subject: the plain name when the name has one
// layout on each side, else `NAME@FILE` (its DW_AT_decl_file), `NAME@UNIT`
// (the compilation unit, when the file is shared) or `NAME#K` (the K-th
// definition, when neither tells them apart, e.g. BTF). Users select one the
// same way: FILE or UNIT may be a trailing part of the path
// (`console@virtio_console.c`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "padguard/model.hpp"

namespace padguard {

// A name's spelling split at its qualifier: "console@drivers/x.c" ->
// ("console", "@drivers/x.c"); "s#2" -> ("s", "#2"); "s" -> ("s", "").
struct SubjectSpec {
  std::string name;
  std::string qualifier;  // "", "@PATH" or "#K"
};
SubjectSpec parse_subject(std::string_view spec);

// One struct of the comparison: the definitions paired on both sides (one
// side null when only the other has it).
struct RecordPair {
  std::string subject;
  const Record* old_r = nullptr;
  const Record* new_r = nullptr;
};

// A subject that names more than one layout on a side.
struct Ambiguity {
  std::string name;
  std::vector<std::string> old_choices, new_choices;  // subjects, e.g. "console@include/linux/console.h"
};

// Every name of both sets, paired; sorted by subject. Layout-identical
// definitions on one side count once.
struct Pairing {
  std::vector<RecordPair> pairs;
  std::vector<Ambiguity> ambiguous;  // sorted by name
};
Pairing pair_records(const RecordSet& old_s, const RecordSet& new_s);

// What a subject given by the user (or by a rule) selects: a pair (either
// side may be missing), or an ambiguity listing the choices.
struct Selection {
  RecordPair pair;  // pair.subject is the subject as given
  bool ambiguous = false;
  Ambiguity choices;
};
Selection select_pair(const RecordSet& old_s, const RecordSet& new_s, std::string_view spec);

// The one definition `spec` selects in one set: null when none, and
// `choices` filled when more than one layout matches.
const Record* select_record(const RecordSet& s, std::string_view spec, std::vector<std::string>* choices = nullptr);

// The plain struct names to load for these subjects (qualifiers dropped,
// each once), for LoadOptions::names.
std::vector<std::string> loaded_names(const std::vector<std::string>& subjects);

}  // namespace padguard
