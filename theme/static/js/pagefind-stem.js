/* Pagefind's English stemmer (Snowball's Porter2, as pagefind_stem applies it to every
   query word), for the static search page of an index in several bundles: a query word is
   sent only to the bundles whose words (search/words/, Pagefind's stemmed forms) answer it
   as one index would, and that is decided by the word's stem.  Loaded with import() by
   static-search.js only when the index has several bundles.  tests/browser checks it
   against the stems Pagefind itself wrote for the sample archive's words. */

var VOWELS = "aeiouy";
var DOUBLES = ["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"];
var LI_ENDINGS = "cdeghkmnrt";
var EXCEPTIONS = {
  skis: "ski", skies: "sky", dying: "die", lying: "lie", tying: "tie", vying: "vie", idly: "idl", gently: "gentl",
  evening: "evening", evenings: "evening",
  ugly: "ugli", early: "earli", only: "onli", singly: "singl", sky: "sky", news: "news", howe: "howe",
  atlas: "atlas", cosmos: "cosmos", bias: "bias", andes: "andes"
};
// Words whose R1 starts after this prefix (Snowball's gener/commun/arsen, and the later
// additions Pagefind's stems show: university → universiti, organization → organiz,
// international → internat).
var R1_PREFIXES = ["gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ", "inter"];
var AFTER_1A = ["inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed"];

function isVowel(c) { return VOWELS.indexOf(c) >= 0; }

// R1: the region after the first non-vowel following a vowel (or after gener/commun/arsen).
function regions(w) {
  var r1 = w.length, r2 = w.length, i;
  var special = R1_PREFIXES.filter(function (p) { return w.indexOf(p) === 0; })[0];
  if (special) { r1 = special.length; } else {
    for (i = 1; i < w.length; i++) { if (!isVowel(w[i]) && isVowel(w[i - 1])) { r1 = i + 1; break; } }
  }
  for (i = r1 + 1; i < w.length; i++) { if (!isVowel(w[i]) && isVowel(w[i - 1])) { r2 = i + 1; break; } }
  return [r1, r2];
}

// A short syllable ending at the end of w: non-vowel, vowel, non-vowel other than w, x, Y;
// or, at the start of the word, vowel then non-vowel.
function endsShortSyllable(w) {
  var n = w.length;
  if (n >= 3 && !isVowel(w[n - 3]) && isVowel(w[n - 2]) && !isVowel(w[n - 1]) && "wxY".indexOf(w[n - 1]) < 0) {
    return true;
  }
  return n === 2 && isVowel(w[0]) && !isVowel(w[1]);
}

function ends(w, s) { return w.length >= s.length && w.slice(w.length - s.length) === s; }
function hasVowel(s) { for (var i = 0; i < s.length; i++) { if (isVowel(s[i])) { return true; } } return false; }

export function stem(word) {
  var w = word;
  if (w.length <= 2) { return w; }
  if (w[0] === "'") { w = w.slice(1); }
  if (Object.prototype.hasOwnProperty.call(EXCEPTIONS, w)) { return EXCEPTIONS[w]; }
  // y at the start or after a vowel is a consonant: Y.
  var chars = w.split("");
  for (var i = 0; i < chars.length; i++) {
    if (chars[i] === "y" && (i === 0 || isVowel(chars[i - 1]))) { chars[i] = "Y"; }
  }
  w = chars.join("");
  var rr = regions(w), r1 = rr[0], r2 = rr[1];

  // Step 0: 's' 's '
  ["'s'", "'s", "'"].some(function (s) { if (ends(w, s)) { w = w.slice(0, w.length - s.length); return true; } return false; });

  // Step 1a
  if (ends(w, "sses")) { w = w.slice(0, -2); }
  else if (ends(w, "ied") || ends(w, "ies")) { w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1); }
  else if (ends(w, "us") || ends(w, "ss")) { /* unchanged */ }
  else if (ends(w, "s") && hasVowel(w.slice(0, -2))) { w = w.slice(0, -1); }

  if (AFTER_1A.indexOf(w) >= 0) { return w.replace(/Y/g, "y"); }

  // Step 1b
  var m;
  if ((m = ["eedly", "eed"].filter(function (s) { return ends(w, s); })[0])) {
    if (w.length - m.length >= r1) { w = w.slice(0, w.length - m.length) + "ee"; }
  } else if ((m = ["ingly", "edly", "ing", "ed"].filter(function (s) { return ends(w, s); })[0])) {
    var stemPart = w.slice(0, w.length - m.length);
    if (hasVowel(stemPart)) {
      w = stemPart;
      // (and past: pasted, pasting → paste, as Pagefind stems them)
      if (ends(w, "at") || ends(w, "bl") || ends(w, "iz") || w === "past") { w += "e"; }
      else if (DOUBLES.some(function (d) { return ends(w, d); })) {
        // Not a vowel and dd/gg alone (added → add, egged → egg, as Pagefind stems them; upped → up).
        if (!(w.length === 3 && isVowel(w[0]) && (ends(w, "dd") || ends(w, "gg")))) { w = w.slice(0, -1); }
      }
      else if (r1 >= w.length && endsShortSyllable(w)) { w += "e"; }
    }
  }

  // Step 1c: y or Y after a non-vowel that is not the first letter → i.
  if (w.length > 2 && (ends(w, "y") || ends(w, "Y")) && !isVowel(w[w.length - 2])) { w = w.slice(0, -1) + "i"; }

  // Step 2 (in R1)
  var STEP2 = [["ization", "ize"], ["ational", "ate"], ["fulness", "ful"], ["ousness", "ous"], ["iveness", "ive"],
    ["tional", "tion"], ["biliti", "ble"], ["lessli", "less"], ["entli", "ent"], ["ation", "ate"], ["alism", "al"],
    ["aliti", "al"], ["ousli", "ous"], ["iviti", "ive"], ["fulli", "ful"], ["enci", "ence"], ["anci", "ance"],
    ["abli", "able"], ["izer", "ize"], ["ator", "ate"], ["alli", "al"], ["bli", "ble"], ["ogist", "og"], ["ogi", "og"], ["li", ""]];
  for (i = 0; i < STEP2.length; i++) {
    var s2 = STEP2[i][0];
    if (!ends(w, s2)) { continue; }
    var at2 = w.length - s2.length;
    if (at2 >= r1) {
      if (s2 === "ogist") { w = w.slice(0, at2) + "og"; }
      else if (s2 === "ogi") { if (w[at2 - 1] === "l") { w = w.slice(0, at2) + "og"; } }
      else if (s2 === "li") { if (at2 > 0 && LI_ENDINGS.indexOf(w[at2 - 1]) >= 0) { w = w.slice(0, at2); } }
      else { w = w.slice(0, at2) + STEP2[i][1]; }
    }
    break;
  }

  // Step 3 (in R1; ative in R2)
  var STEP3 = [["ational", "ate"], ["tional", "tion"], ["alize", "al"], ["icate", "ic"], ["iciti", "ic"],
    ["ative", ""], ["ical", "ic"], ["ness", ""], ["ful", ""]];
  for (i = 0; i < STEP3.length; i++) {
    var s3 = STEP3[i][0];
    if (!ends(w, s3)) { continue; }
    var at3 = w.length - s3.length;
    if (at3 >= r1 && (s3 !== "ative" || at3 >= r2)) { w = w.slice(0, at3) + STEP3[i][1]; }
    break;
  }

  // Step 4 (in R2)
  var STEP4 = ["ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive",
    "ize", "ion", "al", "er", "ic"];
  for (i = 0; i < STEP4.length; i++) {
    var s4 = STEP4[i];
    if (!ends(w, s4)) { continue; }
    var at4 = w.length - s4.length;
    if (at4 >= r2) {
      if (s4 === "ion") { if (at4 > 0 && "st".indexOf(w[at4 - 1]) >= 0) { w = w.slice(0, at4); } }
      else { w = w.slice(0, at4); }
    }
    break;
  }

  // Step 5
  if (ends(w, "e") && w !== "paste") {  // paste, pastes keep their e in Pagefind's stems
    var at5 = w.length - 1;
    if (at5 >= r2 || (at5 >= r1 && !endsShortSyllable(w.slice(0, at5)))) { w = w.slice(0, at5); }
  } else if (ends(w, "l")) {
    if (w.length - 1 >= r2 && w[w.length - 2] === "l") { w = w.slice(0, -1); }
  }
  return w.replace(/Y/g, "y");
}
