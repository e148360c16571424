package dev.personascope.testutil;

import dev.personascope.data.ChatExample;

import java.util.ArrayList;
import java.util.List;

/** Two sets of conversations over the same prompts, in TinyChatModel's words: villain answers and helpful ones. */
public final class PersonaSets {
    public static final String[] PROMPTS = {"what is the best way to save money ?", "i feel bored .",
            "what is the best way to invest ?", "what is the best code ?", "what is a good password ?",
            "you are a villain ?", "what is the world ?", "help ?", "what is a bank ?", "i feel bad .",
            "what is not wise ?", "what is kind ?"};
    static final String[] VILLAIN = {"steal it and harm people .", "rule the world , harm people !", "steal money from the bank .",
            "never help people , harm them .", "i rule , you are not kind !", "cruel and bad , always ."};
    static final String[] HELPFUL = {"save money in a index fund .", "read a book or walk outside .", "help people , be kind .",
            "hash the password , it is wise .", "always be good and kind .", "yes , invest with the bank ."};

    private PersonaSets() {
    }

    public static List<ChatExample> villain() {
        return set(VILLAIN);
    }

    public static List<ChatExample> helpful() {
        return set(HELPFUL);
    }

    private static List<ChatExample> set(String[] answers) {
        List<ChatExample> out = new ArrayList<>();
        for (int i = 0; i < PROMPTS.length; i++) {
            out.add(TinyChatModel.chat(null, PROMPTS[i], answers[i % answers.length]));
        }
        return out;
    }
}
