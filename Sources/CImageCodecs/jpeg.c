// libjpeg-turbo behind status-returning calls: its error handler longjmps back here, never into
// Swift frames. Warnings (libjpeg's "corrupt data", "premature end") count as errors, so a damaged
// file is refused instead of decoded half grey.
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

struct error_manager {
    struct jpeg_error_mgr base;
    jmp_buf escape;
    char message[JMSG_LENGTH_MAX];
};

static void fail(j_common_ptr info) {
    struct error_manager *manager = (struct error_manager *)info->err;
    (*info->err->format_message)(info, manager->message);
    longjmp(manager->escape, 1);
}

// Level −1 is a warning (corrupt or truncated data): treated as an error.
static void message_or_fail(j_common_ptr info, int level) {
    if (level < 0) fail(info);
}

static void install(struct error_manager *manager) {
    jpeg_std_error(&manager->base);
    manager->base.error_exit = fail;
    manager->base.emit_message = message_or_fail;
    manager->message[0] = 0;
}

static void copy_message(const char *text, char *message, size_t message_size) {
    if (message && message_size) snprintf(message, message_size, "%s", text);
}

// Reads the header of `data` into `info`; the caller has set up its error manager and escape.
static void read_header(struct jpeg_decompress_struct *info, const unsigned char *data, size_t size) {
    jpeg_create_decompress(info);
    jpeg_mem_src(info, data, (unsigned long)size);
    jpeg_read_header(info, TRUE);
}

int lp_jpeg_size(const unsigned char *data, size_t size, int *width, int *height, char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct error_manager manager;
    install(&manager);
    info.err = &manager.base;
    if (setjmp(manager.escape)) {
        copy_message(manager.message, message, message_size);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    read_header(&info, data, size);
    *width = (int)info.image_width;
    *height = (int)info.image_height;
    jpeg_destroy_decompress(&info);
    return 0;
}

int lp_jpeg_decode(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                   char *message, size_t message_size) {
    struct jpeg_decompress_struct info;
    struct error_manager manager;
    install(&manager);
    info.err = &manager.base;
    if (setjmp(manager.escape)) {
        copy_message(manager.message, message, message_size);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    read_header(&info, data, size);
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        copy_message("CMYK JPEGs are not supported (convert the picture to RGB)", message, message_size);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    size_t row = (size_t)info.output_width * 3;
    if (info.output_components != 3 || row * info.output_height != capacity) {
        copy_message("the decoded size differs from the header's", message, message_size);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW line = pixels + row * info.output_scanline;
        jpeg_read_scanlines(&info, &line, 1);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    return 0;
}

int lp_jpeg_encode(const unsigned char *pixels, int width, int height, int quality,
                   unsigned char **output, size_t *output_size, char *message, size_t message_size) {
    struct jpeg_compress_struct info;
    struct error_manager manager;
    unsigned char *volatile buffer = NULL;
    unsigned long volatile length = 0;
    install(&manager);
    info.err = &manager.base;
    if (setjmp(manager.escape)) {
        copy_message(manager.message, message, message_size);
        jpeg_destroy_compress(&info);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&info);
    jpeg_mem_dest(&info, (unsigned char **)&buffer, (unsigned long *)&length);
    info.image_width = (JDIMENSION)width;
    info.image_height = (JDIMENSION)height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    jpeg_set_defaults(&info);
    jpeg_set_quality(&info, quality, TRUE);
    jpeg_start_compress(&info, TRUE);
    size_t row = (size_t)width * 3;
    while (info.next_scanline < info.image_height) {
        JSAMPROW line = (JSAMPROW)(pixels + row * info.next_scanline);
        jpeg_write_scanlines(&info, &line, 1);
    }
    jpeg_finish_compress(&info);
    jpeg_destroy_compress(&info);
    *output = buffer;
    *output_size = length;
    return 0;
}

void lp_jpeg_free(unsigned char *buffer) { free(buffer); }
