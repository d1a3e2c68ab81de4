/** Errors that repeat once per target, said once a kind. */
import { RepeatedErrors } from '../lib/repeated-errors';

describe('RepeatedErrors', () => {
  it('keeps a lone error as it is, and counts the repeats of a kind after its first words', () => {
    const errors = new RepeatedErrors();
    errors.add('alert memory not stored: cannot write a.json');
    errors.add('index not stored: the bucket is gone');
    errors.add('alert memory not stored: cannot write b.json');

    expect(errors.lines()).toEqual(['alert memory not stored: cannot write a.json (and 1 more like it)', 'index not stored: the bucket is gone']);
  });

  it('takes an error without ": " as a kind of its own, and says nothing when there was nothing', () => {
    const errors = new RepeatedErrors();
    expect(errors.lines()).toEqual([]);
    errors.add('the time ran out');
    errors.add('the time ran out');
    errors.add('the time ran out again');

    expect(errors.lines()).toEqual(['the time ran out (and 1 more like it)', 'the time ran out again']);
  });
});
