// safetensors load/save through MLX's reader and writer, with the checks MLX leaves to eval time.
//
// MLX parses the header eagerly but reads tensor bytes lazily, on a worker thread, at eval. A
// truncated file would then fail far from the load call, so the header's byte ranges are checked
// against the file size here, before MLX sees the file.
#include <cstdio>
#include <cstring>
#include <fstream>
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

/// Checks the 8-byte header length, and that every "data_offsets": [begin, end] lies inside the data.
void check_layout(const std::string& path) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) fail(path, "cannot open (missing or unreadable)");
  const uint64_t file_size = static_cast<uint64_t>(file.tellg());
  if (file_size < 8) fail(path, "truncated: " + std::to_string(file_size) + " bytes, no header");
  file.seekg(0);
  unsigned char length_bytes[8];
  file.read(reinterpret_cast<char*>(length_bytes), 8);
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i) header_length = (header_length << 8) | length_bytes[i];
  if (header_length > file_size - 8) {
    fail(path, "corrupt: header length " + std::to_string(header_length) + " exceeds the file size " +
                   std::to_string(file_size));
  }
  std::string header(header_length, '\0');
  file.read(header.data(), static_cast<std::streamsize>(header_length));
  if (header_length == 0 || header[0] != '{') fail(path, "corrupt: header is not a JSON object");
  const uint64_t data_size = file_size - 8 - header_length;
  const std::string key = "\"data_offsets\"";
  for (size_t at = header.find(key); at != std::string::npos; at = header.find(key, at + key.size())) {
    unsigned long long begin = 0, end = 0;
    const char* cursor = header.c_str() + at + key.size();
    if (std::sscanf(cursor, " : [ %llu , %llu ]", &begin, &end) != 2 || begin > end) {
      fail(path, "corrupt: unreadable data_offsets in the header");
    }
    if (end > data_size) {
      fail(path, "truncated: a tensor ends at byte " + std::to_string(end) + " of the data, which holds " +
                     std::to_string(data_size) + " bytes");
    }
  }
}

}  // namespace

extern "C" {

int mlxc_safetensors_load(const char* path, mlxc_safetensors* out) {
  return guarded([&] {
    const std::string file(path);
    check_layout(file);
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

int mlxc_safetensors_save(const char* path, const char* const* names, const mlxc_array* arrays, size_t count,
                          const char* const* metadata_keys, const char* const* metadata_values,
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

    const std::string temporary = file + ".tmp-" + std::to_string(getpid());
    try {
      auto writer = std::make_shared<mx::io::FileWriter>(temporary);
      mx::save_safetensors(writer, std::move(tensors), std::move(metadata));
      if (!writer->good()) fail(file, "cannot write '" + temporary + "'");
    } catch (const std::exception& e) {
      std::remove(temporary.c_str());
      const std::string message = e.what();
      if (message.rfind("safetensors file", 0) == 0) throw;
      fail(file, "write failed: " + message);
    }
    if (std::rename(temporary.c_str(), file.c_str()) != 0) {
      const std::string reason = std::strerror(errno);
      std::remove(temporary.c_str());
      fail(file, "cannot move the written file into place: " + reason);
    }
  });
}

}  // extern "C"
