// Cross-checks of a parsed model: ordering, uniqueness, references, struct layout.
// Every rule reports the line to fix; nothing is silently repaired.

import { AbiError } from "./lex.mjs";
import { FIELD_TYPES } from "./parse.mjs";

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);

/** Returns a list of AbiError; empty when the model is consistent. */
export function validateAbi(model) {
  const errors = [];
  const fail = (line, message) => errors.push(new AbiError(line, message));
  checkNumbered(model.errnos, "errno", fail);
  checkNumbered(model.signals, "signal", fail);
  const sets = checkSets(model.sets, fail);
  const structs = checkStructs(model.structs, sets, fail);
  checkSyscalls(model.syscalls, sets, structs, fail);
  if (!model.hasEnd) fail(1, 'the file is incomplete: its last line must be "# END"');
  return errors.sort((a, b) => a.line - b.line);
}

function checkNumbered(list, what, fail) {
  const byName = new Map();
  let last = null;
  for (const entry of list) {
    if (byName.has(entry.name))
      fail(
        entry.line,
        `${what} ${entry.name} is defined twice (first on line ${byName.get(entry.name).line})`,
      );
    byName.set(entry.name, entry);
    if (entry.aliasOf !== undefined) continue;
    if (last && entry.value <= last.value) {
      fail(
        entry.line,
        `${what} ${entry.name} = ${entry.value} is not above ${last.name} = ${last.value} (line ${last.line}): numbers must be unique and in order`,
      );
    }
    if (entry.value <= 0) fail(entry.line, `${what} ${entry.name}: number must be positive`);
    last = entry;
  }
  for (const entry of list) {
    if (entry.aliasOf === undefined) continue;
    const target = byName.get(entry.aliasOf);
    if (!target) fail(entry.line, `${what} alias ${entry.name}: ${entry.aliasOf} is not defined`);
    else if (target.aliasOf !== undefined)
      fail(
        entry.line,
        `${what} alias ${entry.name}: ${entry.aliasOf} is itself an alias; name the primary`,
      );
  }
}

function inRange(value) {
  return value >= I64_MIN && value <= U64_MAX;
}

function checkSets(sets, fail) {
  const byName = new Map();
  const constants = new Map(); // name -> { value, line }
  const remember = (name, value, line) => {
    if (!inRange(value)) fail(line, `${name} = ${value} does not fit in 64 bits`);
    const seen = constants.get(name);
    if (seen && seen.value !== value)
      fail(
        line,
        `${name} = ${value} here but ${seen.value} on line ${seen.line}: a constant name may be reused only with the same value`,
      );
    else if (!seen) constants.set(name, { value, line });
  };
  for (const set of sets) {
    if (byName.has(set.name))
      fail(
        set.line,
        `set ${set.name} is defined twice (first on line ${byName.get(set.name).line})`,
      );
    byName.set(set.name, set);
    if (set.entries.length === 0) fail(set.line, `${set.kind} ${set.name} has no entries`);
    const names = new Set();
    const unique = (name, line) => {
      if (names.has(name)) fail(line, `${name} appears twice in ${set.name}`);
      names.add(name);
    };
    for (const entry of set.entries) {
      unique(entry.name, entry.line);
      if (entry.type === "field") {
        remember(entry.name, entry.mask, entry.line);
        if (entry.mask <= 0n) fail(entry.line, `field ${entry.name}: mask must be positive`);
        if (entry.signal && entry.mask < 64n)
          fail(
            entry.line,
            `field ${entry.name}: @signal needs a mask that can hold signal numbers up to 64`,
          );
        for (const value of entry.values) {
          unique(value.name, entry.line);
          remember(value.name, value.value, entry.line);
          if ((value.value & ~entry.mask) !== 0n) {
            fail(
              entry.line,
              `${value.name} = 0x${value.value.toString(16)} has bits outside its field mask ${entry.name} = 0x${entry.mask.toString(16)}`,
            );
          }
        }
      } else {
        remember(entry.name, entry.value, entry.line);
        if (set.kind === "flags" && entry.value < 0n)
          fail(entry.line, `${entry.name}: flag values cannot be negative`);
      }
    }
  }
  return byName;
}

function checkSetRef(ref, sets, line, fail, where) {
  if (ref.kind !== "flags" && ref.kind !== "enum") return;
  const set = sets.get(ref.set);
  if (!set) fail(line, `${where}: ${ref.kind}(${ref.set}) names a set that is not defined`);
  else if (set.kind !== ref.kind)
    fail(
      line,
      `${where}: ${ref.kind}(${ref.set}) but ${ref.set} is declared as ${set.kind} (line ${set.line})`,
    );
}

/** Natural alignment of a field type; u8[N] aligns to 1. */
export function fieldAlign(type) {
  return type.count === null ? FIELD_TYPES[type.base].size : 1;
}

export function fieldSize(type) {
  return FIELD_TYPES[type.base].size * (type.count ?? 1);
}

function checkStructs(structs, sets, fail) {
  const byName = new Map();
  for (const struct of structs) {
    if (byName.has(struct.name))
      fail(
        struct.line,
        `struct ${struct.name} is defined twice (first on line ${byName.get(struct.name).line})`,
      );
    byName.set(struct.name, struct);
    if (struct.size <= 0) fail(struct.line, `struct ${struct.name}: size must be positive`);
    if (struct.fields.length === 0) fail(struct.line, `struct ${struct.name} has no fields`);
    const names = new Set();
    let maxAlign = 1;
    let previous = null;
    for (const field of struct.fields) {
      if (names.has(field.name))
        fail(field.line, `field ${field.name} appears twice in struct ${struct.name}`);
      names.add(field.name);
      const size = fieldSize(field.type);
      const align = fieldAlign(field.type);
      maxAlign = Math.max(maxAlign, align);
      if (field.type.count === 0)
        fail(field.line, `field ${field.name}: an array needs at least one element`);
      if (field.offset < 0 || field.offset + size > struct.size) {
        fail(
          field.line,
          `field ${field.name} (${field.offset}..${field.offset + size}) lies outside struct ${struct.name} of ${struct.size} bytes`,
        );
      }
      if (previous && field.offset < previous.offset + fieldSize(previous.type)) {
        fail(
          field.line,
          `field ${field.name} at ${field.offset} overlaps ${previous.name} (${previous.offset}..${previous.offset + fieldSize(previous.type)}); fields must be listed in offset order without overlap`,
        );
      }
      if (!struct.packed && field.offset % align !== 0) {
        fail(
          field.line,
          `field ${field.name} at ${field.offset} is not ${align}-byte aligned; mark struct ${struct.name} packed if that is the real layout`,
        );
      }
      if (field.print) checkSetRef(field.print, sets, field.line, fail, `field ${field.name}`);
      if (field.print && field.type.count !== null)
        fail(
          field.line,
          `field ${field.name}: byte arrays are printed as strings and take no print kind`,
        );
      previous = field;
    }
    if (!struct.packed && struct.size % maxAlign !== 0) {
      fail(
        struct.line,
        `struct ${struct.name}: size ${struct.size} is not a multiple of its alignment ${maxAlign}`,
      );
    }
  }
  return byName;
}

function checkSyscalls(syscalls, sets, structs, fail) {
  const names = new Map();
  let last = null;
  for (const call of syscalls) {
    if (last && call.nr <= last.nr)
      fail(
        call.line,
        `syscall ${call.name} = ${call.nr} is not above ${last.name} = ${last.nr} (line ${last.line}): numbers must be unique and in order`,
      );
    if (call.nr < 0) fail(call.line, `syscall ${call.name}: number must not be negative`);
    last = call;
    if (names.has(call.name))
      fail(
        call.line,
        `syscall ${call.name} is defined twice (first on line ${names.get(call.name)})`,
      );
    names.set(call.name, call.line);
    if (call.args.length > 6)
      fail(call.line, `${call.name}: a syscall has at most 6 arguments, got ${call.args.length}`);
    const argNames = call.args.map((a) => a.name);
    const seen = new Set();
    for (const arg of call.args) {
      const where = `${call.name} argument ${arg.name}`;
      if (seen.has(arg.name)) fail(call.line, `${call.name}: argument ${arg.name} appears twice`);
      seen.add(arg.name);
      const k = arg.kind;
      checkSetRef(k, sets, call.line, fail, where);
      const ref = k.len ?? k.count ?? k.sizeArg;
      if (ref !== undefined) {
        if (!argNames.includes(ref))
          fail(
            call.line,
            `${where}: length/count ${ref} is not an argument of ${call.name} (arguments: ${argNames.join(", ")})`,
          );
        else if (ref === arg.name) fail(call.line, `${where}: cannot be its own length`);
      }
      if (k.kind === "struct" && !structs.has(k.struct))
        fail(call.line, `${where}: struct ${k.struct} is not defined`);
    }
    checkSetRef(call.ret, sets, call.line, fail, `${call.name} return`);
  }
}
