// glassbox/core/portable_math.hpp — eˣ and cos x with the same bits on every machine.
//
// std::exp and std::cos may differ in the last bit between math libraries (glibc, musl, MSVC's
// CRT) and versions of one. Numbers that go into a trace — a learning rate a schedule computes, the
// rates of a range test — must not, so they come from these: range reduction and a polynomial
// written with +, −, × and ÷ only (exactly rounded by IEEE 754 everywhere; the build turns off
// fused multiply-add contraction, cmake/GlassboxOptions.cmake). Each is within about one unit in
// the last place of the exact value, so it agrees with std:: almost always and by an ulp otherwise.
// (portable_log, the natural logarithm, is in random.hpp, beside the normal draws that use it.)
#pragma once

namespace glassbox {

// eˣ; +∞ above about 709.78, 0 below about −745, NaN for NaN.
double portable_exp(double x);
// cos x for |x| < 2²⁰·π/2 (about 1.6 million), which is every angle a schedule uses; NaN for a
// non-finite x or a larger |x| (the reduction would lose its accuracy there).
double portable_cos(double x);
// bᵉ = exp(e·ln b) for b > 0, through portable_exp and portable_log (a few ulp of std::pow).
double portable_pow(double base, double exponent);

}  // namespace glassbox
