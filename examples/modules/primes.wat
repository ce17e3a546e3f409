;; A module of our own for examples/wasm.rs: a sieve of Eratosthenes in linear memory.
(module
  (memory (export "memory") 16)

  ;; How many primes are below $n (at most 1,048,576: one byte of memory per number).
  (func (export "count_primes") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32)
    (memory.fill (i32.const 0) (i32.const 0) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (i32.load8_u (local.get $i)))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            ;; Cross out from $i * $i, when that is below $n (asked without overflowing).
            (if (i32.le_u (local.get $i) (i32.div_u (local.get $n) (local.get $i)))
              (then
                (local.set $j (i32.mul (local.get $i) (local.get $i)))
                (block $marked
                  (loop $mark
                    (br_if $marked (i32.ge_u (local.get $j) (local.get $n)))
                    (i32.store8 (local.get $j) (i32.const 1))
                    (local.set $j (i32.add (local.get $j) (local.get $i)))
                    (br $mark)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $count)))
