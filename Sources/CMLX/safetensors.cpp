// safetensors load/save through MLX's reader and writer.
//
// MLX trusts the header it parses; MLXCore's SafetensorsHeader (Swift) checks the header against
// the format's rules before this loader is called, so MLX only ever sees files that passed.
#include <cstdio>
#include <cstring>
#include <unistd.h>

#include "internal.hpp"

using namespace cmlx;

struct mlxc_safetensors_ {
  std::vector<std::string> names;
  std::vector<mx::array> arrays;
  std::vector<std::string> metadata_keys;
  std::vector<std::string> metadata_values;
};

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
  throw std::runtime_error("safetensors file '" + path + "': " + why);
}

}  // namespace

extern "C" {

int mlxc_safetensors_load(const char* path, mlxc_safetensors* out) {
  return guarded([&] {
    const std::string file(path);
    mx::SafetensorsLoad loaded;
    try {
      loaded = mx::load_safetensors(file);
    } catch (const std::exception& e) {
      fail(file, e.what());
    }
    auto result = std::make_unique<mlxc_safetensors_>();
    for (auto& [name, array] : loaded.first) {
      result->names.push_back(name);
      result->arrays.push_back(array);
    }
    for (auto& [key, value] : loaded.second) {
      result->metadata_keys.push_back(key);
      result->metadata_values.push_back(value);
    }
    *out = result.release();
  });
}

void mlxc_safetensors_free(mlxc_safetensors s) {
  delete s;
}

size_t mlxc_safetensors_count(mlxc_safetensors s) {
  return s->names.size();
}

const char* mlxc_safetensors_name(mlxc_safetensors s, size_t index) {
  return index < s->names.size() ? s->names[index].c_str() : "";
}

int mlxc_safetensors_array(mlxc_safetensors s, size_t index, mlxc_array* out) {
  return guarded([&] {
    if (index >= s->arrays.size()) throw std::out_of_range("safetensors index out of range");
    emit(s->arrays[index], out);
  });
}

size_t mlxc_safetensors_metadata_count(mlxc_safetensors s) {
  return s->metadata_keys.size();
}

const char* mlxc_safetensors_metadata_key(mlxc_safetensors s, size_t index) {
  return index < s->metadata_keys.size() ? s->metadata_keys[index].c_str() : "";
}

const char* mlxc_safetensors_metadata_value(mlxc_safetensors s, size_t index) {
  return index < s->metadata_values.size() ? s->metadata_values[index].c_str() : "";
}

int mlxc_safetensors_save(const char* temporary_path, const char* path, const char* const* names, const mlxc_array* arrays,
                          size_t count, const char* const* metadata_keys, const char* const* metadata_values,
                          size_t metadata_count) {
  return guarded([&] {
    const std::string file(path);
    std::unordered_map<std::string, mx::array> tensors;
    for (size_t i = 0; i < count; ++i) {
      if (!tensors.emplace(names[i], arrays[i]->value).second) {
        fail(file, std::string("duplicate tensor name '") + names[i] + "'");
      }
    }
    std::unordered_map<std::string, std::string> metadata;
    for (size_t i = 0; i < metadata_count; ++i) metadata[metadata_keys[i]] = metadata_values[i];

    // The caller moves the temporary into place (flushed, renamed: MLXCore's AtomicFile).
    const std::string temporary(temporary_path);
    try {
      auto writer = std::make_shared<mx::io::FileWriter>(temporary);
      mx::save_safetensors(writer, std::move(tensors), std::move(metadata));
      if (!writer->good()) fail(file, "cannot write '" + temporary + "'");
    } catch (const std::exception& e) {
      const std::string message = e.what();
      if (message.rfind("safetensors file", 0) == 0) throw;
      fail(file, "write failed: " + message);
    }
  });
}
}  // extern "C"
