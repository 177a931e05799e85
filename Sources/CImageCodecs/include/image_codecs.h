// JPEG through libjpeg-turbo and PNG decoding through libpng, behind calls that return a status
// instead of longjmp'ing through their callers (both libraries report errors by calling an error
// handler that must not return).
#ifndef LATENT_PRIOR_IMAGE_CODECS_H
#define LATENT_PRIOR_IMAGE_CODECS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Reads a JPEG's size from its header. Returns 0, or non-zero with a one-line `message`.
int lp_jpeg_size(const unsigned char *data, size_t size, int *width, int *height, char *message, size_t message_size);

/// Decodes a JPEG to 8-bit RGB (greyscale and YCbCr are converted; CMYK is refused) into `pixels`,
/// which holds `capacity` bytes and must be width·height·3 for the header's size. Corrupt or
/// truncated data (libjpeg's warnings included) is an error. Returns 0, or non-zero with `message`.
int lp_jpeg_decode(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                   char *message, size_t message_size);

/// Encodes 8-bit RGB as a baseline JPEG of `quality` (1–100). On success `*output` is a buffer
/// from malloc of `*output_size` bytes, which the caller frees with `lp_jpeg_free`.
int lp_jpeg_encode(const unsigned char *pixels, int width, int height, int quality,
                   unsigned char **output, size_t *output_size, char *message, size_t message_size);

void lp_jpeg_free(unsigned char *buffer);

/// Reads a PNG's size from its header (the chunks before the image data, CRCs checked). Any size
/// PNG allows (sides up to 2³¹−1) is reported, for the caller to judge against its pixel limit.
/// Returns 0, or non-zero with libpng's one-line `message` ("Not a PNG file", "IHDR: CRC error").
int lp_png_size(const unsigned char *data, size_t size, int *width, int *height, char *message, size_t message_size);

/// Decodes any PNG libpng reads (grey 1–16 bits, grey+alpha, RGB, RGBA, palette, tRNS, Adam7) to
/// 8-bit RGBA, 16-bit samples rounded to nearest, into `pixels`, which holds `capacity` bytes and
/// must be width·height·4 for the header's size. A bad CRC in any chunk, truncated data or corrupt
/// image data is an error. Returns 0, or non-zero with libpng's one-line `message`.
int lp_png_decode_rgba(const unsigned char *data, size_t size, unsigned char *pixels, size_t capacity,
                       char *message, size_t message_size);

#ifdef __cplusplus
}
#endif

#endif
