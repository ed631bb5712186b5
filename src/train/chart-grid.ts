/**
 * Several standalone SVG charts (as {@link lineChart} makes them) laid out in a grid in one SVG
 * document, `columns` across, each cell `width`×`height`.
 *
 * @example
 * chartGrid([svgA, svgB, svgC, svgD], 2, 320, 220); // a 2×2 grid, 640×440
 */
export function chartGrid(charts: string[], columns: number, width: number, height: number): string {
  const rows = Math.ceil(charts.length / columns);
  const cells = charts.map((svg, i) => {
    const dx = (i % columns) * width;
    const dy = Math.floor(i / columns) * height;
    return svg
      .replace(/^<svg [^>]*>/, `<g transform="translate(${dx} ${dy})" font-family="sans-serif" font-size="12">`)
      .replace(/<\/svg>\n?$/, '</g>');
  });
  const w = columns * width;
  const h = rows * height;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">\n${cells.join('\n')}\n</svg>\n`;
}
