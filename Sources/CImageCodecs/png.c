// libpng behind status-returning calls, reading from memory: its error handler longjmps back into
// these functions, never into Swift frames. Every PNG variant libpng reads comes out as 8-bit RGBA.
// A damaged file is refused, never decoded in part: a bad CRC in any chunk, data that ends early
// and image data that is short or corrupt are all errors.
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <png.h>

// Ancillary chunks are skipped unread (below); this only bounds what libpng would allocate for
// one if that ever changed, so a 100-byte file cannot ask for gigabytes.
#define CHUNK_MALLOC_MAX (8u << 20)

struct reader {
    const unsigned char *data;
    size_t size;
    size_t position;
    char message[256];
};

static void on_error(png_structp png, png_const_charp text) {
    struct reader *reader = (struct reader *)png_get_error_ptr(png);
    snprintf(reader->message, sizeof reader->message, "%s", text);
    png_longjmp(png, 1);
}

// Warnings (an unknown sRGB profile, a palette index past the palette's end) leave the pixels
// usable; libpng's default would print them to stderr.
static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

// Reading past the end is an error, so a truncated file fails at once instead of waiting for data.
static void read_bytes(png_structp png, png_bytep out, size_t length) {
    struct reader *reader = (struct reader *)png_get_io_ptr(png);
    if (length > reader->size - reader->position) png_error(png, "the file is truncated");
    memcpy(out, reader->data + reader->position, length);
    reader->position += length;
}

static void copy_message(const char *text, char *message, size_t message_size) {
    if (message && message_size) snprintf(message, message_size, "%s", text);
}

// libpng's own signature check, done here too so that a short non-PNG file is called that rather
// than "truncated".
static const char *signature_problem(const unsigned char *data, size_t size) {
    if (size == 0) return "the file is empty";
    return png_sig_cmp(data, 0, size < 8 ? size : 8) != 0 ? "Not a PNG file" : NULL;
}

// A read struct over `reader`, set up to refuse damage; NULL when out of memory.
static png_structp create(struct reader *reader, png_uint_32 max_side) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, reader, on_error, on_warning);
    if (!png) return NULL;
    png_set_read_fn(png, reader, read_bytes);
    // Critical chunks already fail on a bad CRC; ancillary ones would only warn and be dropped. A
    // flipped byte anywhere means the file was damaged, so the picture is refused rather than
    // trusted (tests flip every single bit of a small file and expect an error each time).
    png_set_crc_action(png, PNG_CRC_ERROR_QUIT, PNG_CRC_ERROR_QUIT);
    // Skip every ancillary chunk but tRNS (libpng's rule for a negative count): colour management
    // and text are not used, and skipping spares the inflating of iCCP, zTXt and iTXt. Skipped
    // chunks are still read through, so their CRCs are still checked.
    png_set_keep_unknown_chunks(png, PNG_HANDLE_CHUNK_NEVER, NULL, -1);
    png_set_chunk_malloc_max(png, CHUNK_MALLOC_MAX);
    png_set_user_limits(png, max_side, max_side);
    return png;
}

int lp_png_size(const unsigned char *data, size_t size, int *width, int *height, char *message, size_t message_size) {
    const char *problem = signature_problem(data, size);
    if (problem) {
        copy_message(problem, message, message_size);
        return 1;
    }
    struct reader reader = {data, size, 0, {0}};
    // Any side PNG allows: the caller judges the size against its pixel limit, which needs it told.
    png_structp png = create(&reader, PNG_UINT_31_MAX);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        copy_message("out of memory", message, message_size);
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        copy_message(reader.message, message, message_size);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_read_info(png, info);
    *width = (int)png_get_image_width(png, info);
    *height = (int)png_get_image_height(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}

// Transformations to 8-bit RGBA, in libpng's terms: palette → RGB, grey below 8 bits → 8 bits and
// tRNS → alpha (expand); 16 → 8 bits rounded to nearest (scale_16: v·255/65535, where strip_16
// would truncate); grey → RGB; an opaque alpha added where there is none; Adam7 passes combined.
static int set_rgba_transformations(png_structp png, png_infop info) {
    int colour_type = png_get_color_type(png, info);
    png_set_expand(png);
    png_set_scale_16(png);
    if (!(colour_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(png);
    if (!(colour_type & PNG_COLOR_MASK_ALPHA) && !png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    int passes = png_set_interlace_handling(png);
    png_read_update_info(png, info);
    return passes;
}

int lp_png_decode_rgba(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                       char *message, size_t message_size) {
    const char *problem = signature_problem(data, size);
    if (problem) {
        copy_message(problem, message, message_size);
        return 1;
    }
    struct reader reader = {data, size, 0, {0}};
    // The caller sized `pixels` from the header after its pixel-limit check, so no side may
    // exceed that many pixels.
    size_t pixel_count = capacity / 4;
    png_structp png = create(&reader, pixel_count < PNG_UINT_31_MAX ? (png_uint_32)pixel_count : PNG_UINT_31_MAX);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        copy_message("out of memory", message, message_size);
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        copy_message(reader.message, message, message_size);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_read_info(png, info);
    int passes = set_rgba_transformations(png, info);
    png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
    size_t row = png_get_rowbytes(png, info);
    if (png_get_bit_depth(png, info) != 8 || png_get_channels(png, info) != 4 || row != (size_t)width * 4 ||
        row * height != capacity) {
        copy_message("the decoded size differs from the header's", message, message_size);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    // png_read_image's loop without its array of row pointers (8 bytes a row): each pass writes
    // its own pixels of every row in place.
    for (int pass = 0; pass < passes; pass++)
        for (png_uint_32 y = 0; y < height; y++) png_read_row(png, pixels + row * y, NULL);
    // Reads the rest of the image data and the chunks up to IEND, which checks their CRCs.
    png_read_end(png, info);
    png_destroy_read_struct(&png, &info, NULL);
    return 0;
}
