import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { digitInput } from '../../../src/data/digit-image.js';
import { InputError } from '../../../src/errors.js';
import { crc32, decodePng } from '../../../src/io/node/png.js';
import { assertClose } from '../../helpers/close.js';
import { fixture, repoRoot } from '../../helpers/fixtures.js';

type Expected = Record<string, { width: number; height: number; pixels: number[] }> & { 'mnist-test-0': number[] };
const expected = fixture<Expected>('png/png.json');
const png = (name: string) => new Uint8Array(readFileSync(join(repoRoot, 'test', 'fixtures', 'png', name)));

/** A PNG assembled from chunks, for files the fixtures' encoders would never write. */
export function pngFrom(chunks: [string, Uint8Array][]): Uint8Array {
  const parts: Buffer[] = [Buffer.from([137, 80, 78, 71, 13, 10, 26, 10])];
  for (const [type, data] of chunks) {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    parts.push(head, body, crc);
  }
  return new Uint8Array(Buffer.concat(parts));
}

export function ihdr(width: number, height: number, bitDepth = 8, colorType = 0, interlace = 0): [string, Uint8Array] {
  const b = Buffer.alloc(13);
  b.writeUInt32BE(width, 0);
  b.writeUInt32BE(height, 4);
  b.set([bitDepth, colorType, 0, 0, interlace], 8);
  return ['IHDR', b];
}

test('each of the five row filters decodes to the pixels Python wrote', () => {
  for (let f = 0; f < 5; f++) {
    const name = `filter-${f}.png`;
    const image = decodePng(png(name), name);
    assert.equal(image.width, 9);
    assert.equal(image.height, 5);
    assertClose([...image.pixels], expected[name].pixels, 1e-9, name);
  }
});

test('gray, gray+alpha, RGB and RGBA files from Pillow decode to the same grayscale', () => {
  for (const name of ['digit-gray.png', 'digit-gray-alpha.png', 'digit-rgb.png', 'digit-rgba.png']) {
    const image = decodePng(png(name), name);
    assert.deepEqual([image.width, image.height], [56, 56], name);
    assertClose([...image.pixels], expected.digit.pixels, 1e-9, name);
  }
});

test('a black-on-white 56×56 digit becomes the MNIST image it was made from', () => {
  const input = digitInput(decodePng(png('digit-rgba.png')));
  assert.equal(input.inverted, true);
  assertClose(
    [...input.pixels],
    expected['mnist-test-0'].map((v) => v / 255),
    1e-12,
  );
  const white = digitInput({ width: 28, height: 28, pixels: expected['mnist-test-0'] });
  assert.equal(white.inverted, false);
  // Upscaling a 2×2 checkerboard: each source pixel covers a 14×14 block.
  const up = digitInput({ width: 2, height: 2, pixels: [255, 0, 0, 255] });
  assertClose([up.pixels[0], up.pixels[13], up.pixels[14], up.pixels[27 * 28 + 27]], [1, 1, 0, 1], 1e-12);
});

test('broken PNGs get one named error each', () => {
  const good = png('digit-gray.png');
  const flipped = good.slice();
  flipped[40] ^= 0x10;
  const zeros = (n: number) => new Uint8Array(n);
  const idat = (raw: Uint8Array): [string, Uint8Array] => ['IDAT', new Uint8Array(deflateSync(raw))];
  const end: [string, Uint8Array] = ['IEND', zeros(0)];
  const cases: [Uint8Array, RegExp][] = [
    [new TextEncoder().encode('{"layers": []}'), /is not a PNG file/],
    [good.subarray(0, 30), /truncated/],
    [good.subarray(0, good.length - 12), /truncated: it ends inside a chunk header/],
    [flipped, /fails its CRC check/],
    [pngFrom([idat(zeros(2)), end]), /the first chunk is "IDAT", expected IHDR/],
    [pngFrom([ihdr(1, 1, 8, 3), ['PLTE', zeros(3)], end]), /color type 3/],
    [pngFrom([ihdr(1, 1, 16, 0), end]), /16 bits a sample, expected 8/],
    [pngFrom([ihdr(1, 1, 8, 0, 1), end]), /interlaced/],
    [pngFrom([ihdr(0, 1), end]), /is 0×1, expected an image with pixels/],
    [pngFrom([ihdr(100000, 100000), end]), /expected at most 16777216 pixels/],
    [pngFrom([ihdr(1, 1), end]), /no image data/],
    [pngFrom([ihdr(1, 1), ['IDAT', Uint8Array.of(1, 2, 3)], end]), /not valid zlib data/],
    [pngFrom([ihdr(2, 2), idat(zeros(5)), end]), /inflates to 5 bytes, expected 6/],
    // A bomb: a megabyte of zeros in a kilobyte, for a 2×2 image.
    [pngFrom([ihdr(2, 2), idat(zeros(1 << 20)), end]), /inflates to more than the 6 bytes/],
    [pngFrom([ihdr(1, 1), idat(Uint8Array.of(7, 0)), end]), /filter type 7/],
    [pngFrom([ihdr(1, 1), ihdr(1, 1), end]), /two IHDR chunks/],
    [pngFrom([ihdr(1, 1), ['ABCD', zeros(1)], end]), /critical chunk "ABCD"/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(
      () => decodePng(bytes, 'x.png'),
      (e: Error) => e instanceof InputError && message.test(e.message),
      String(message),
    );
  }
  // Ancillary chunks are skipped.
  const withText = pngFrom([ihdr(1, 1), ['tEXt', new TextEncoder().encode('a\0b')], idat(Uint8Array.of(0, 9)), end]);
  assert.deepEqual([...decodePng(withText).pixels], [9]);
});
