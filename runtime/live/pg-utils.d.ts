/** pg's own value serializer (the text form it sends bind parameters in), which @types/pg does not declare. */
declare module 'pg/lib/utils.js' {
  const utils: { prepareValue(value: unknown): unknown };
  export default utils;
}
