# Generates porter_nltk.tsv: word <TAB> NLTK 3.8 PorterStemmer() (NLTK_EXTENSIONS) stem, for words rouge-score would stem.
import csv, os, re, sys
from nltk.stem import porter
ps = porter.PorterStemmer()
words = set()
# The BEGIN file: the first argument, else ../shared/data/begin beside the repository (this folder is 4 levels down).
repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), *(['..'] * 4))
begin = sys.argv[1] if len(sys.argv) > 1 else os.path.join(repo, '..', 'shared', 'data', 'begin', 'begin_test_wow.tsv')
for row in csv.DictReader(open(begin, newline=''), delimiter='\t'):
    for f in ('knowledge', 'response', 'message'):
        words.update(re.findall(r'[a-z0-9]+', row[f].lower()))
extra = """caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized hopping tanned
falling hissing fizzed failing filing happy sky relational conditional rational valenci hesitanci digitizer conformabli
radicalli differentli vileli analogousli vietnamization predication operator feudalism decisiveness hopefulness
callousness formaliti sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness
revival allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment dependent adoption
homologou communism activate angulariti homologous effective bowdlerize probate rate cease controll roll dying lying
tying news innings outings cannings howe proceed exceed succeed skies spied died flies dies enjoy spy fly try oing aed
generously fully hopefully analogi archaeology biology theology ties lies this thi was were generalizations""".split()
words.update(extra)
words = sorted(w for w in words if len(w) > 3)
import random
random.seed(12345)
keep = sorted(set(random.sample(words, min(4000, len(words)))) | set(w for w in extra if len(w) > 3))
with open(sys.argv[1], 'w') as f:
    f.write('# word\tstem  (nltk 3.8 PorterStemmer(), NLTK_EXTENSIONS mode; see README.md)\n')
    for w in keep:
        f.write(f'{w}\t{ps.stem(w)}\n')
print(len(keep))
