"""The real-code corpus `lint` is judged on: published sdists of projects that load models with bitsandbytes.

    python scripts/lint_corpus.py fetch              # download (sha256-checked) and unpack into the cache
    python scripts/lint_corpus.py lint [--json F]    # lint every project, write the findings (the bench reads them)
    python scripts/lint_corpus.py fixcheck           # --fix over a copy in /tmp: everything compiles, loads unchanged

The projects are pinned by version and sha256 of the sdist on PyPI (CI reaches package registries only, so
the corpus is what PyPI serves, not git checkouts). Nothing is committed: the files live in
$BNBDOCTOR_CORPUS (default /work/cache/lint-corpus). `split` says whether a project was read while the rules were
written ("dev", and "dev2" for the second widening) or only judged afterwards ("heldout", "held2").
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(os.environ.get("BNBDOCTOR_CORPUS", "/work/cache/lint-corpus"))
FILES = "https://files.pythonhosted.org/packages/"


@dataclass(frozen=True)
class Project:
    name: str
    version: str
    url: str  # below FILES
    sha256: str
    split: str  # "dev", "heldout", "dev2" or "held2"

    @property
    def folder(self) -> str:
        return Path(self.url).name.removesuffix(".tar.gz")


CORPUS = (
    Project(
        "autotrain-advanced",
        "0.6.80",
        "95/a6/02f6b7bb67b05adb8ca393dafd04ed4e632367549d92a3b3f373dc8ed399/autotrain-advanced-0.6.80.tar.gz",
        "4d56304b4c4d5c5096915b5029975d197819f5d73fd2b968335089fe3f91cc41",
        "dev",
    ),
    Project(
        "autotrain-advanced",
        "0.8.36",
        "97/f6/bbe5a0d78c3fe60546be3731c99f262d3d7201411574fb5708a023268432/autotrain_advanced-0.8.36.tar.gz",
        "11346133200acb5aa8de118264a6955c96856406b203140e14c17e292cb698f3",
        "dev",
    ),
    Project(
        "axolotl",
        "0.19.0",
        "8e/ce/7ebebe4d26b327d4074c11bd2955b0072ae31f306ac8d4284b536dd9c139/axolotl-0.19.0.tar.gz",
        "136d623f04c909c5149d7f5dbd4a0e215014ab4c3617cce9d64010b5b8ca609d",
        "dev",
    ),
    Project(
        "fschat",
        "0.2.36",
        "22/ad/8336e2dc6323944d59e888d41ff8833993ebc9c79bdd8d07997c54d92d55/fschat-0.2.36.tar.gz",
        "ac724458bb105cb5b3b9ec852150345dfa7f61fd7c275d6635d66fa1ed904d90",
        "dev",
    ),
    Project(
        "llama-index-llms-huggingface",
        "0.8.0",
        "5a/6c/bf28d9ccaa87b21b1209e86bc2bb22bfb886e61a310bc1ef2c6835529634/llama_index_llms_huggingface-0.8.0.tar.gz",
        "6d12048c69e5ffcd23b2c9fe9c67e27d8609b39456c761bbc92ea704f873ae4f",
        "dev",
    ),
    Project(
        "llama-recipes",
        "0.0.1",
        "ac/f0/aab45d0834b777404d51b63a531b0006f1f5299dbe3f5b1dac5e4caef3da/llama_recipes-0.0.1.tar.gz",
        "59ea01099561d6f8707103d2c369618b4829c2b70c41def8eb3da1bf5004e9a0",
        "dev",
    ),
    Project(
        "llama-recipes",
        "0.0.5.post2",
        "07/96/8b97deb7cdeb0673c43e89d34abeeebd8e9004f6599e64c178cf617815d9/llama_recipes-0.0.5.post2.tar.gz",
        "1801849f11304b278be6488736ec2b2bb0b004c7930f51d803a8b97aa48c7a5a",
        "dev",
    ),
    Project(
        "llamafactory",
        "0.9.5",
        "13/80/a93533be95fbc18940e0a192b9dce1d7565310f0d365bcad69489d3c0d0d/llamafactory-0.9.5.tar.gz",
        "1702c0bfb864e80577a59521d2edcacd2aab05ec6aee06188fcba335a589681f",
        "dev",
    ),
    Project(
        "lm_eval",
        "0.4.13",
        "89/b1/cfcdf2a8c8b8e755ec7103a7d4b6f8673f7916641ca08df83412c531935b/lm_eval-0.4.13.tar.gz",
        "f592269f21a5e173d7993ae01267f61fc84be393cee1f51779e3e104a70c967e",
        "dev",
    ),
    Project(
        "ludwig",
        "0.11.0",
        "70/a4/6d360b550519dc14b18243639f1bb19878c76a204e4a5a8bbdc5438ef67c/ludwig-0.11.0.tar.gz",
        "dc4d79ee0531e69ab4be87e62851a3471bf548e232921e5a20f5248737199bfa",
        "dev",
    ),
    Project(
        "mergekit",
        "0.1.5",
        "92/92/acc4209fb6c8044747305245460feb920e6804dc27531b2d75a96946f848/mergekit-0.1.5.tar.gz",
        "caa51dbbfa493bcd62218d17f2bc7bb1c7a2a2e4baf4e2f34a29d73c66c594aa",
        "dev",
    ),
    Project(
        "opencompass",
        "0.5.4",
        "65/5f/462260af26e6210d28f7e02968b7c098e6f2a76d71d25501bc90b2da3664/opencompass-0.5.4.tar.gz",
        "11eb915770dec7fb85e1d23d8b453d64319863f49cf2312c6ba6bda3268fa884",
        "dev",
    ),
    Project(
        "optimum",
        "2.3.0",
        "d9/76/e4ac0c4b398ed3fe2d41e0058002d276896b9a15a54be16889d8e0d3ee92/optimum-2.3.0.tar.gz",
        "aa96ad535a5cec68d12c6372574125452284632fe13699633a61e8bbfb09c4df",
        "dev",
    ),
    Project(
        "peft",
        "0.7.1",
        "d7/0f/0a7bd6d7640137fe1cc98f148502e2033cc3d89a9fc323148b5ae340b892/peft-0.7.1.tar.gz",
        "cd8fd190e1aacfdcb6c70df4e13c3e3b0006b1e9cc16ecf0a9804632edfcecd3",
        "dev",
    ),
    Project(
        "peft",
        "0.21.2",
        "80/af/2e08abf1cd3b8792a02f5116808f2398c2f77ecdff801ced2ce16007a6f9/peft-0.21.2.tar.gz",
        "b803ccfb3f3f316004d850284306687833a2235ea278fb56abc856203456142e",
        "dev",
    ),
    Project(
        "trl",
        "0.7.4",
        "ba/d9/a1884954a0d91df2aed7f40d10c7874868af560021164097ba7bb586f981/trl-0.7.4.tar.gz",
        "95ec953788dc392c37868d306d41ca0c6f1546db14d9926b7e8b49851871c437",
        "dev",
    ),
    Project(
        "trl",
        "1.16.0",
        "72/33/2cce5d6c5398d6de2dad22afa713f1a65569910685ab3598d1767d4d8483/trl-1.16.0.tar.gz",
        "999bd4a85b08870b7bfa387e1efa5177d2a4b88fe82b2526a057ac5d3cc600cd",
        "dev",
    ),
    Project(
        "unsloth",
        "2026.3.4",
        "32/1e/978b8524f0153768340cf23a0b3e29941f86b3e6dc762a6c0b2fb3cdebb0/unsloth-2026.3.4.tar.gz",
        "7b260d4a66fe492e63509ccfbd279c1f8824e26426433e38a603f119bc0c9054",
        "dev",
    ),
    Project(
        "xtuner",
        "0.2.0",
        "0b/a5/3db25c63afe8de02ab63c7f757f8f06947d15c82bdc51088aa77185b7678/xtuner-0.2.0.tar.gz",
        "bcb5e28116e7ac9474bcd71ba8e1c9cc95256ee8a2f6831818985c0d20b68440",
        "dev",
    ),
    # held out: judged only after the rules were frozen
    Project(
        "instructlab-training",
        "0.16.2",
        "7b/9c/6dfa41104ce9707410e5cc2c6e463d164c197fae6c6b74e4a247c3e33db5/instructlab_training-0.16.2.tar.gz",
        "682faf8cef28d7c82a44ae3c1add8c5e0800f3e29e2346ee0cf596567bb2b8cf",
        "heldout",
    ),
    Project(
        "llmtuner",
        "0.7.1",
        "8b/27/d34d63d7cee57b157703a8b581d32eff6852983fe8517a174ca12c3e4540/llmtuner-0.7.1.tar.gz",
        "8762aa8cf1abb17dfefbeac820de7b81b43e69b7ac218569beeb604a3bea193e",
        "heldout",
    ),
    Project(
        "llm-foundry",
        "0.22.0",
        "fb/11/41111befab17908300166c99f5b85a6117d1916b8beb7f149892944b210c/llm_foundry-0.22.0.tar.gz",
        "0b3cda380d7c2c7dba7d77338e033b6be033dc90b8552dab402917320e1591b2",
        "heldout",
    ),
    Project(
        "lmms-eval",
        "0.7.3",
        "e0/c0/0888c4b062088df7380d21cd2ea9cfbf7664c7603bf1827e042b29c90dc2/lmms_eval-0.7.3.tar.gz",
        "ce2f46a21faab6c649a3bc46af99bd6f4098c243e10b40f5a949177e412a7798",
        "heldout",
    ),
    Project(
        "simpletransformers",
        "0.70.8",
        "d8/89/4a946b3a0f0928938c360127188d61efce594446f1e643f1af5208ced2bf/simpletransformers-0.70.8.tar.gz",
        "a4287ee20a4138917715dc9f6d535fc51e57bb21d17ff60fb11fab0370db67bc",
        "heldout",
    ),
    Project(
        "langchain-community",
        "0.4.2",
        "ea/0c/e3aca1f2b1c5b95f8b87cb2b6e81a6f20d538c07a128419dc01cef0617b6/langchain_community-0.4.2.tar.gz",
        "a99308160d53d7e9b5965ee665e5173709914338210089fd5788ad724432c21e",
        "heldout",
    ),
    Project(
        "unsloth-zoo",
        "2026.10.9",
        "58/3a/2bcb18a999a8846d343ba9dfdebf66d74a3b6d5b831a0a1c808f81c7ca04/unsloth_zoo-2026.10.9.tar.gz",
        "b5286f9f8c182e8df3ec59e33944e46a683d2e261660f5ed9c536571c61c89b1",
        "heldout",
    ),
    Project(
        "xturing",
        "0.1.8",
        "5a/c8/63c5c7beda06875479beff7464f0ab890662e5cded985d9e3f88d168efb6/xturing-0.1.8.tar.gz",
        "e353b1af4e5b2dd07690c024672df51baa80ed74299d85fa055dce51ac2f3bd1",
        "heldout",
    ),
    Project(
        "lighteval",
        "0.13.0",
        "e1/65/c3963c69296ea622c05c131e95732a7c206db478fdaf1cb59b211f21531b/lighteval-0.13.0.tar.gz",
        "156ae469a9ea472f2a08ac5c6b0f06a44de2a097b91149c9da3a23e8d793b345",
        "heldout",
    ),
    Project(
        "ms-swift",
        "4.6.0",
        "7d/ce/2d2cc169db87aafc0ed76a688a8826914356df61f886e0376beccd7c6897/ms_swift-4.6.0.tar.gz",
        "8483da407748abc01e106b54c25d6453eb2ef4a6e136dab001b9a522c9c80d71",
        "heldout",
    ),
    Project(
        "oumi",
        "0.9",
        "1c/eb/1946cb60e70a90a1c81b695bd738f0ca311c1b54cc50c20e6bdac2a8ccb9/oumi-0.9.tar.gz",
        "19734b6f5f3766a8026396565b04577ed0434a0b6ce0a9e4120bba999ee00d39",
        "heldout",
    ),
)

# The second widening (branch lint2): 41 more releases in three batches, 2023-2024 code mostly, split before any was linted. A
# project named in the first corpus keeps its side (dev -> dev2, heldout -> held2), so a rule tuned on one release
# of a project is never judged "held out" on another release of it, and a held-out project never becomes dev; a
# new name goes by the parity of the last byte of sha256(name): even -> held2, odd -> dev2.
SECOND = (
    (
        "accelerate",
        "0.21.0",
        "c0/c9/faac7906ce9690087dd7c0d0957498951cd0ce7355134dc8fa2969daf9ad/accelerate-0.21.0.tar.gz",
        "e2959a0bf74d97c0b3c0e036ed96065142a060242281d27970d4c4e34f11ca59",
    ),
    (
        "alpaca-eval",
        "0.6.2",
        "8b/1f/a5b724bc11abfc5bb1e43a067527d9daec1051fe1f6f11d0db2c30325b7b/alpaca_eval-0.6.2.tar.gz",
        "dc702d423cc0040980001da6e1d90fabd6ca8f560b4b01ce50213834aa82510e",
    ),
    (
        "autotrain-advanced",
        "0.7.0",
        "70/22/9aa94dfeaf958c7f50d6f9dc66a16c770d647765aaab3cbd8add9cf98e3b/autotrain-advanced-0.7.0.tar.gz",
        "cd62f0e33163a834af4e92bba8eb64712c9b03537e6208bfeaeab814be47a62a",
    ),
    (
        "dspy-ai",
        "2.4.0",
        "48/20/33a7351f49cd9fde596e8161887cdc5b870f0d2ed5b5f18f0ac66d2fa3d0/dspy-ai-2.4.0.tar.gz",
        "d646ec015270b70bd51916346c01680923ccfa386c9e5474caac6d4366148678",
    ),
    (
        "fschat",
        "0.2.20",
        "fb/d5/cdaed9012d6da3c4c59c6ab917b2aeffdc83aa1f1487505d08706f77d7e6/fschat-0.2.20.tar.gz",
        "a48130937f5b2d9324a0253f4a96291fd479d8cece49f567748d4bccd2f096f5",
    ),
    (
        "llama2-wrapper",
        "0.1.14",
        "d0/83/01654cb606db3c8c2635b9416a5074d4324cc10b375bcee4bc38d3b623d4/llama2_wrapper-0.1.14.tar.gz",
        "f63eb82d152df1451a12457c69759bcff89c5346c8a28aeb9d0f3293918c1e9f",
    ),
    (
        "llm-blender",
        "0.0.2",
        "d9/38/2cc839c8f9227dc97ecce93e0fe926234d9c27fde500d7d74b34e94f23a7/llm_blender-0.0.2.tar.gz",
        "78e33e21f16d8067f22e6885d90dcb2ba6b4eab5fd0a68bbcaac82d7ee9c2bbd",
    ),
    (
        "llmtuner",
        "0.6.3",
        "04/50/60f442ebb324e6ee3672b26bb8baa3aa899a9933427bc7ddaf780f4faed3/llmtuner-0.6.3.tar.gz",
        "a75e93fa7652fbbe6ca27a4d20bc492f15f6ed7c37507621a4f154513cd4e756",
    ),
    (
        "lm_eval",
        "0.4.0",
        "45/e0/05001c2e56e2f8f793189442176432ddb89a2f1f1ef00ea154d0bc00fe37/lm_eval-0.4.0.tar.gz",
        "2dac56039b191c2dfb0011329ec9082e474006a15575db45468b88753923b34b",
    ),
    (
        "ludwig",
        "0.8.6",
        "f4/55/625147989121ac28e0567174ab952cdf9e6b3e9d4e907534346e81975650/ludwig-0.8.6.tar.gz",
        "45f2f99368f21e2bccec170d2a1fb697f40b7d36fa343feb30bc103bf5d3d42c",
    ),
    (
        "modelscope",
        "1.14.0",
        "29/ea/244ced280b16de829e925d08b48fccabcc26806926a29cd5a544a9e5bfa9/modelscope-1.14.0.tar.gz",
        "d4f4030acd5198d9a18c7d3314f983f73348056dea5f98380f304588113f9d18",
    ),
    (
        "ms-swift",
        "2.0.0",
        "73/20/51a5237834c35e8b7f7678f30df890ef21e8b05ee3e6fd166178c0c7525d/ms-swift-2.0.0.tar.gz",
        "21baa119ece1dc694a8bb6896f7f6980a1d5e313d8206b9f4df19758df372ea8",
    ),
    (
        "openllm",
        "0.4.44",
        "63/71/c928bcc41712cb962c17c3c3a852191122347b59c67daab6b4f5e827ee03/openllm-0.4.44.tar.gz",
        "b1063f19a41479464102222b31ef240bf1a6c9557c8e0cfa24959b2c4c10bb34",
    ),
    (
        "optimum-benchmark",
        "0.2.0",
        "f6/01/b96d2aee32cf768dfb1ba530ecf9de70c1e0682896587f05f662978ec850/optimum-benchmark-0.2.0.tar.gz",
        "b6a5718103f0ca2b2fe9e116109a9b7a6f7c241746f8b6c918518b15410daa35",
    ),
    (
        "peft",
        "0.4.0",
        "26/54/dbdad73535c0421cc93ab10ff73f20919b90a4030c2daf53c83795e74896/peft-0.4.0.tar.gz",
        "e768fa22d6e9f32aa7e891f0d06f355960278ca4dc0cdd96bff71f6f06269207",
    ),
    (
        "pykoi",
        "0.0.5",
        "94/99/70b53c6841e8c9bfc9da4dd7597f6c02519dc6c389b19d8eea2d3e2ec70b/pykoi-0.0.5.tar.gz",
        "a36d4e451a79cc16dcd2b2c5fc26124e810c6610a87763358b42d6fde67e38c8",
    ),
    (
        "trl",
        "0.4.7",
        "66/2a/e645061cf21733b1a3c9c3e8bbddedeca40f48f442f32bb62c4149269848/trl-0.4.7.tar.gz",
        "627f4afbc2be06c1da10aec975a8134aea1ed0daa0af097d0d6074ab8b3ce6d1",
    ),
    (
        "txtai",
        "7.0.0",
        "c1/82/a25705ed1fbbc3fbbe9e4ae9ec8153ca0264999f2a40e0155418b41dbccd/txtai-7.0.0.tar.gz",
        "56cff538bea92675160c5ef9e34eefa7ba2add56359afc8150e5aebe9355ecd8",
    ),
    (
        "unsloth",
        "2024.8",
        "9d/98/57bdb80e3c935280417e59d20146243437fd5230306a4fbbf185d4d7d015/unsloth-2024.8.tar.gz",
        "20f555588d16811a2e585636551bd31fde526b92d5f336b8501d9dc8daa47f8d",
    ),
    # second batch, added (and split) after the dev2 fixes, before any of it was linted
    (
        "axolotl",
        "0.6.0",
        "14/79/f55a3512a2206c3583ae1a7cb5ca9fa421a64f4dcef7079762f8e6de3043/axolotl-0.6.0.tar.gz",
        "8ad5e1f7e42d7deba40b932a4a4a41bf88e6315e0e73388066f2afeca2f5bd15",
    ),
    (
        "instructlab-training",
        "0.5.0",
        "fe/aa/5e17e05c7421bfdb4dcfeb718954753e732d6d6bf52f490c7709616ac22c/instructlab_training-0.5.0.tar.gz",
        "b598a14a11cdc32a04587ac94fa0bcd9471dbc6d55b2bcc07ba5e79ac8b88960",
    ),
    (
        "langchain-community",
        "0.0.38",
        "74/b7/c20502452183d27b8c0466febb227fae3213f77e9a13683de685e7227f39/langchain_community-0.0.38.tar.gz",
        "127fc4b75bc67b62fe827c66c02e715a730fef8fe69bd2023d466bab06b5810d",
    ),
    (
        "lighteval",
        "0.5.0",
        "b9/72/2cbd211318e1dd4ab6653cfe96672dfd68d17a02e762f09b14e8cd7bb6f3/lighteval-0.5.0.tar.gz",
        "54c4cada948a4fee265fa345283701b80ebdc0f075d8edc91810d1c1d751e5be",
    ),
    (
        "llama-recipes",
        "0.0.3",
        "5d/cc/fd6e700a042caa9fb6b4c3c3df371d72d7c0f1abb05e3a311d61f45e65cb/llama_recipes-0.0.3.tar.gz",
        "7398848b4863c7d651887ceea20494bf45cb773a79394b9788bc61022dc923f4",
    ),
    (
        "llm-foundry",
        "0.8.0",
        "59/a4/4745453c2a59dc1fda0bf8a59e4f509e218f039d7fbbbccba6c6a3b55bc1/llm-foundry-0.8.0.tar.gz",
        "6b4017ba75918ac24a6a0252c6568395bef5b812ad070978fba4622444e13564",
    ),
    (
        "lm_eval",
        "0.4.2",
        "75/ca/18814743ba3b42d19d8524a4f771e9c3a7aa02cd4c579747a0f513907205/lm_eval-0.4.2.tar.gz",
        "ddc2a1ea7041cbadf45afd118ebdecd707b1f14446fad51df212d2bf3defb4d2",
    ),
    (
        "lm-polygraph",
        "0.3.0",
        "77/e6/db2ebb5a8b5f694d1e954b5ef6d5d54750c0c475b484bb5d1a40291f1f7a/lm_polygraph-0.3.0.tar.gz",
        "4370a1b18f435465abb4766c02f5b461d36246d68b56908551a0d72d839e69e0",
    ),
    (
        "lmms-eval",
        "0.2.0",
        "ee/7b/48120ff13f39c8172eb87c463b6b9f991d702900d177544d0f2dac6a69bc/lmms_eval-0.2.0.tar.gz",
        "9381ce4195791ccef7d952d47119731375bb35fd1409a8be011aea0ffd991be4",
    ),
    (
        "ludwig",
        "0.10.0",
        "d0/32/4bee06be9f9c667e12c90a9ecb6b31658f74891716efb467e06f5366d3d9/ludwig-0.10.0.tar.gz",
        "7bccb6629e29286f1c3ee92d61e61765c78f691fdc21d64c26a447457ed3e16d",
    ),
    (
        "transformer-lens",
        "1.17.0",
        "58/ca/07eae6c51e98c49c71f1f99c9214ae3ae4f4b12336a007bc5605ab10ad6c/transformer_lens-1.17.0.tar.gz",
        "0513efb359405f56264da6c68881decc083279b8f6131629066d6c1c6647fb5a",
    ),
    (
        "trl",
        "0.6.0",
        "8f/29/c5683e25b4f9b303dff8171e575e7dce831e5738f63130b7f80c7d71f783/trl-0.6.0.tar.gz",
        "e39263d0aecd8179e94acb14fc62a4e41eeb1c487f8f94d32eca14edd5e08267",
    ),
    (
        "unsloth",
        "2024.12.4",
        "3e/6d/f387425086fbbe0b1414def8bcba5ac0e81d727dc5f91633d0c03716da05/unsloth-2024.12.4.tar.gz",
        "922837eed8446e2924fda22bad66c5ee81bb255204c82e444bd4636b0f6ef8fa",
    ),
    (
        "xturing",
        "0.1.3",
        "07/29/6f44372d208c5959fe06672905e2d017687a08fd1e7b1474e362ae0a8fcc/xturing-0.1.3.tar.gz",
        "487f0604e703e154fe18c77df7c94d59ed604ac76f8de9f1459bea0ab61c5330",
    ),
    # third batch: older releases of held-out projects (all held2 by the rule), added after every dev2 fix
    (
        "instructlab-training",
        "0.3.0",
        "e3/35/a1fcce6bc5d518941a11b5f618c12002fdb1450cd7773bfe7fc0aee5601f/instructlab_training-0.3.0.tar.gz",
        "5b8d0eaf37dbe0ed8ca8579c0912481a9bee371ddf590ac25bc4a4ab23db8543",
    ),
    (
        "lighteval",
        "0.3.0",
        "02/d7/8c52ae664c106385547c5e895b8614b58eb97e1a721ccee0e278739bd0ff/lighteval-0.3.0.tar.gz",
        "30d05265a5dc4fa5a8397a83aa28b13a0f75cf551d365bf754a982cb25639109",
    ),
    (
        "llm-foundry",
        "0.5.0",
        "2a/7d/472c26d98dcb053169a8f8871f13131566b5ced88e363d735cd6ec7365bc/llm-foundry-0.5.0.tar.gz",
        "02f51c61b08b769ca44c6006a45560420673bfa160a6bd9a543200d228a26808",
    ),
    (
        "llmtuner",
        "0.5.3",
        "6f/35/96f0c366b4ea34050adfaebf2b6f9713befc1f1b47193b28f5ceec150dfe/llmtuner-0.5.3.tar.gz",
        "c6317dbbeb08aa94cbc6314a01d70ce6f24d8027e0778091b7adb696fcdcddc0",
    ),
    (
        "ms-swift",
        "1.5.4",
        "58/0d/e6865202ec18076d192316d714ee621052ddb951916b141f29eeaa5c5f51/ms-swift-1.5.4.tar.gz",
        "fe8ba5167378d8ce3b053c0bdc34846f4bc3eb658e42107f275cbaf56ba08043",
    ),
    (
        "oumi",
        "0.1.3",
        "97/61/5d08c88a31e2181340d6f5b755e3c40db212dab633b4d2c93741187b14df/oumi-0.1.3.tar.gz",
        "e0753ce34bb088f88e8216fd25b1ce38b67a7eef7b892462ec1e6e8d1a81bed6",
    ),
    (
        "simpletransformers",
        "0.70.0",
        "0f/8e/1c52ac2e1ccabf90af4e629d673f4651dbacafd6a429ff6fd0f9cbc9dcdb/simpletransformers-0.70.0.tar.gz",
        "e0e4c1127ac189c49246dd5afc11e543fbccda31e467608f7f8ac2b717d27f6e",
    ),
    (
        "xturing",
        "0.1.6",
        "5c/10/b0fa379c91a64b4bc5d9ac5f02f99781f54ef940d4dd43d9d4d4547cfeac/xturing-0.1.6.tar.gz",
        "adc8fab90c7203a9368dd8a926620dd9aba29338e16aa2efbe45caaaf47980ef",
    ),
)


def second_split(name: str) -> str:
    """dev2 or held2 for a project of SECOND, decided by its name alone (committed before linting them)."""
    first = {p.name: p.split for p in CORPUS}
    if name in first:
        return "dev2" if first[name] == "dev" else "held2"
    return "held2" if hashlib.sha256(name.encode()).digest()[-1] % 2 == 0 else "dev2"


CORPUS = CORPUS + tuple(Project(n, v, u, h, second_split(n)) for n, v, u, h in SECOND)


def split_of(path: str) -> str:
    """The split of a finding's path (`<project folder>/...`)."""
    top = path.split("/", 1)[0]
    return next((p.split for p in CORPUS if p.folder == top), "unknown")


def fetch() -> Path:
    src = CACHE / "src"
    src.mkdir(parents=True, exist_ok=True)
    for p in CORPUS:
        archive = CACHE / Path(p.url).name
        if not archive.exists():
            with urllib.request.urlopen(FILES + p.url, timeout=120) as response, open(archive, "wb") as out:
                shutil.copyfileobj(response, out)
        digest = hashlib.sha256(archive.read_bytes()).hexdigest()
        if digest != p.sha256:
            archive.unlink()
            raise SystemExit(f"{archive.name}: sha256 {digest} is not the pinned {p.sha256}; removed")
        target = src / p.folder
        if not target.exists():
            tmp = Path(tempfile.mkdtemp(dir=src))
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
            (tmp / p.folder).rename(target) if (tmp / p.folder).exists() else next(tmp.iterdir()).rename(
                target
            )
            shutil.rmtree(tmp)
    return src


def lint(root: Path) -> dict:
    """The findings of `bnbdoctor lint` over every project (run from `root`, so paths start with the folder)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bnbdoctor",
            "lint",
            *[p.folder for p in CORPUS],
            "--gpu",
            "none",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"bnbdoctor lint failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def loads_of(source: bytes) -> list[tuple]:
    """What each judged load asks for, as transformers 4.38+ reads it: quantized or not, 4/8 bit, quant type,
    double quant, the flags (where they stayed keywords) and the bitsandbytes keywords. Compute dtype is left
    out: adding it is BNB101's purpose."""
    from bnbdoctor.lint.analyze import analyze, truthy

    try:
        facts = analyze(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError):
        return []
    out = []
    for load in facts.loads:
        if not isinstance(load.node, ast.Call):
            continue
        kwargs = dict(load.config.kwargs) if load.config is not None else {}
        flags = {k: load.kwargs[k] for k in ("load_in_4bit", "load_in_8bit") if k in load.kwargs}
        if load.config is None and any(truthy(a) for a in flags.values()):
            kwargs = {k: a for k, a in load.kwargs.items() if k.startswith(("bnb_4bit", "llm_int8"))} | flags
        quantized = load.config is not None or any(truthy(a) for a in flags.values())
        bits = 8 if truthy(kwargs.get("load_in_8bit")) else (4 if quantized else None)
        keep = {k: ast.unparse(a.node) for k, a in kwargs.items() if k not in ("bnb_4bit_compute_dtype",)}
        dtype = load.kwargs.get("dtype") or load.kwargs.get(
            "torch_dtype"
        )  # the same argument under two names
        out.append((quantized, bits, tuple(sorted(keep.items())), ast.unparse(dtype.node) if dtype else None))
    return sorted(out, key=repr)


def fixcheck(root: Path) -> int:
    """--fix over a copy of the corpus: every file compiles after, and no load asks for anything else."""
    work = Path(tempfile.mkdtemp(prefix="lint-corpus-fix-"))
    copy = work / "src"
    for p in CORPUS:
        shutil.copytree(root / p.folder, copy / p.folder, symlinks=True)
    before = {p: p.read_bytes() for p in copy.rglob("*.py")}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bnbdoctor",
            "lint",
            ".",
            "--fix",
            "--gpu",
            "none",
            "--format",
            "json",
            "--fail-on",
            "never",
        ],
        cwd=copy,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        print(done.stderr[-2000:])
        return 2
    result = json.loads(done.stdout)
    changed = [p for p, data in before.items() if p.read_bytes() != data]
    broken, differ = [], []
    for path in changed:
        new = path.read_bytes()
        try:
            compile(new, str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            broken.append(f"{path}: {exc}")
        if loads_of(before[path]) != loads_of(new):
            differ.append(str(path.relative_to(copy)))
    print(f"--fix rewrote {len(changed)} files ({len(result.get('fixes') or [])} reported) in {copy}")
    print(f"  files that no longer compile: {len(broken)}")
    for line in broken:
        print("   ", line)
    print(f"  files whose loads ask for something else: {len(differ)}")
    for line in differ:
        print("   ", line)
    return 1 if broken or differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("fetch", "lint", "fixcheck", "list"))
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.command == "list":
        for p in CORPUS:
            print(f"{p.name:30} {p.version:12} {p.split:8} sha256 {p.sha256[:16]}…")
        return
    root = fetch()
    if args.command == "lint":
        result = lint(root)
        text = json.dumps(result, indent=1)
        if args.json:
            args.json.write_text(text + "\n")
        else:
            print(text)
    elif args.command == "fixcheck":
        sys.exit(fixcheck(root))


if __name__ == "__main__":
    main()
